/** After the deployment tests: `npm run down -- --stack ci`, as a user removes it all. */
import { CI_STACK, labsOk, prepareCiStack } from "@container-labs/test-kit";
import { keepStack } from "./setup";

export default async function teardown(): Promise<void> {
  if (keepStack()) return;
  const stack = await prepareCiStack();
  await labsOk(stack, ["down", "--stack", CI_STACK]);
}
