/**
 * kleeweb on the deployed ci stack: a job submitted through nginx on port 80
 * runs in a sibling container started by a worker through the engine's
 * socket, its result is stored, and postgres_data keeps it when the database
 * container is replaced.
 */
import { up } from "@container-labs/test-kit";
import { deployed, eventually, http, runKleeJob, urnOf, type Deployed, type KleeJob } from "./deployed";

let stack: Deployed;
let site: string;
beforeAll(async () => {
  stack = await deployed();
  site = stack.labs.kleeweb.urls.site;
});

let id: string;
let finished: KleeJob;

it("runs a job submitted through nginx on port 80 in a sibling container, and stores its result", async () => {
  expect(site).toBe("http://localhost:80/");
  const job = await runKleeJob(site, stack.docker);
  ({ id, finished } = job);
  expect(finished.status).toBe("succeeded");
  // The engine's own record: a container labelled with the job was started, from the KLEE image the stack pulled.
  expect(job.jobImages).toEqual([stack.stack.standins.klee]);
});

it("keeps the stored jobs in its postgres_data (ci.postgres_data on the ci stack) when the postgres container is replaced (pulumi up --replace)", async () => {
  const idBefore = await stack.docker("inspect", "--format", "{{.Id}}", "kleeweb-db");
  await up(stack.stack, "--replace", await urnOf(stack.stack, "docker:index/container:Container", "kleeweb-postgres"));
  expect(await stack.docker("inspect", "--format", "{{.Id}}", "kleeweb-db")).not.toBe(idBefore);
  expect(await stack.docker("inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", "kleeweb-db")).toBe("ci.postgres_data");
  const after = await eventually("the job read back", async () => {
    const answer = await http(`${site}api/jobs/${id}`);
    return answer.status === 200 ? answer.json<KleeJob>() : undefined;
  });
  expect(after).toEqual(finished);
});
