/**
 * On EC2, the instance role's credentials come from the instance metadata
 * service (IMDS) at 169.254.169.254, which containers reach one hop away
 * (hop limit 2). Only containers on this Docker network may: the host's
 * firewall (imds-firewall.sh, in Docker's DOCKER-USER chain) rejects
 * metadata traffic forwarded from every other bridge. The bridge's name is
 * fixed so the firewall can match it before the network exists.
 */
export const AWS_CREDENTIALS_NETWORK = {
  /**
   * The Docker network. A member's off-host traffic must leave through this
   * bridge: the network asks for the default route (gateway priority,
   * Docker 28+), and its name sorts before every lab network's, which is how
   * older engines choose.
   */
  name: "aws-credentials",
  /** Its Linux bridge (at most 15 characters). */
  bridge: "cl-aws-creds",
} as const;

/** The instance metadata service, which hands out the instance role's credentials. */
export const INSTANCE_METADATA_ADDRESS = "169.254.169.254";

/**
 * The instance's IMDSv2 PUT response hop limit: the token's answer leaves
 * with this IP TTL, and the host's forwarding to a container's bridge takes
 * one, so 1 would keep every container from getting a token.
 */
export const METADATA_HOP_LIMIT = 2;
