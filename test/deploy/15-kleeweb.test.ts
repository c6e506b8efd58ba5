/**
 * kleeweb on the deployed ci stack: a job submitted through nginx on port 80
 * runs in a sibling container started by a worker through the engine's
 * socket, its result is stored, and postgres_data keeps it when the database
 * container is replaced.
 */
import { up } from "@container-labs/test-kit";
import { deployed, eventually, http, urnOf, type Deployed } from "./deployed";

let stack: Deployed;
let site: string;
beforeAll(async () => {
  stack = await deployed();
  site = stack.labs.kleeweb.urls.site;
});

interface Job {
  status: string;
  output: string;
}

const job = async (id: string) => (await http(`${site}api/jobs/${id}`)).json<Job>();

let id: string;
let finished: Job;

it("runs a job submitted through nginx on port 80 in a sibling container, and stores its result", async () => {
  expect(site).toBe("http://localhost:80/");
  const submitted = await http(`${site}api/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source: "int main(void) { return 0; }" }) });
  const since = Math.floor(Date.now() / 1000) - 1;
  expect(submitted.status).toBe(201);
  id = submitted.json<{ id: string }>().id;
  // While it runs, or right after: the job container carries the job's label (kept by the worker until it is done).
  finished = await eventually(`job ${id} finished`, async () => {
    const view = await job(id);
    return ["succeeded", "failed"].includes(view.status) ? view : undefined;
  }, 180_000);
  expect(finished.status).toBe("succeeded");
  // The engine's own record: a container labelled with the job was started, from the KLEE image the stack pulled.
  const started = await stack.docker("events", "--since", String(since), "--until", String(Math.ceil(Date.now() / 1000)), "--filter", `label=kleeweb.job=${id}`, "--filter", "event=start", "--format", "{{.Actor.Attributes.image}}");
  expect(started.split("\n")).toEqual([stack.stack.standins.klee]);
});

it("keeps the stored jobs in its postgres_data (ci.postgres_data on the ci stack) when the postgres container is replaced (pulumi up --replace)", async () => {
  const idBefore = await stack.docker("inspect", "--format", "{{.Id}}", "kleeweb-db");
  await up(stack.stack, "--replace", await urnOf(stack.stack, "docker:index/container:Container", "kleeweb-postgres"));
  expect(await stack.docker("inspect", "--format", "{{.Id}}", "kleeweb-db")).not.toBe(idBefore);
  expect(await stack.docker("inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", "kleeweb-db")).toBe("ci.postgres_data");
  const after = await eventually("the job read back", async () => {
    const answer = await http(`${site}api/jobs/${id}`);
    return answer.status === 200 ? answer.json<Job>() : undefined;
  });
  expect(after).toEqual(finished);
});
