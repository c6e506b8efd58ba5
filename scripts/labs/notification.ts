/**
 * `npm run notification [-- --stack <name>]`: the assignment's request sealed
 * with the stack's notifications key, as one line of JSON for `curl -d @-`.
 * The stack output prints no key of the user's own (notificationsSecretKey),
 * so its curl line takes the body from here, in the checkout.
 */
import * as pulumi from "@pulumi/pulumi";
// The sources, not the built package: like the program, this runs before any workspace is built.
import { secretKeyBytes } from "../../packages/notification-cipher/src/cipher";
import { EXAMPLE_BODY, EXAMPLE_TIMESTAMP } from "../../packages/notification-cipher/src/example";
import { freshNotifyBody, type NotifyBody } from "../../packages/notification-cipher/src/hash-data";

/** The assignment's fields and timestamp, encrypted with `secretKey`: the service holding that key answers what it answers the assignment's own request, its age. */
export function assignmentsRequestSealedWith(secretKey: string): NotifyBody {
  const { cipher_data: _assignments, ...fields } = EXAMPLE_BODY;
  return freshNotifyBody(secretKeyBytes(secretKey), fields, EXAMPLE_TIMESTAMP);
}

/** The value of an Output read from config outside a deployment, where every value is known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => { resolve(value); return value; }));
}
