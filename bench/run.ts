/**
 * `npm run bench [lab ...]`: runs each lab's benchmark (all by default) and
 * prints its tables. Needs `npm run build` first and the Debian packages that
 * scripts/install-system-deps.sh installs.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { machineNote, placementNote } from "./cpu";

interface LabBench {
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const available = readdirSync(__dirname)
    .filter((file) => file.endsWith(".bench.ts"))
    .map((file) => file.replace(/\.bench\.ts$/, ""))
    .sort();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((lab) => !available.includes(lab));
  if (unknown.length > 0) {
    throw new Error(`no benchmark for ${unknown.join(", ")}; available: ${available.join(", ")}`);
  }
  console.log(`# ${machineNote()}`);
  console.log(`# ${placementNote()}`);
  for (const lab of wanted.length > 0 ? wanted : available) {
    console.log(`\n# ${lab}`);
    const bench = (await import(join(__dirname, `${lab}.bench.ts`))) as LabBench;
    await bench.run();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
