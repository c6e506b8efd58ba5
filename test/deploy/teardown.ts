/** After the deployment tests: `npm run down -- --stack ci`, as a user removes it all. */
import { CI_STACK, labsOk, prepareCiStack } from "@container-labs/test-kit";

export default async function teardown(): Promise<void> {
  const stack = await prepareCiStack();
  await labsOk(stack, ["down", "--stack", CI_STACK]);
}
