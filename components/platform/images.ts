/**
 * Third-party images the labs pull, each pinned by version and digest so a
 * deployment is the same every time. Digests were taken from public
 * references and could not be pulled on the machine that wrote them (no
 * Docker engine there): see README, "What is not verified here".
 */
export const THIRD_PARTY_IMAGES = {
  dynamodbLocal: "amazon/dynamodb-local:2.5.4@sha256:cf8cebd061f988628c02daff10fdb950a54478feff9c52f6ddf84710fe3c3906",
} as const;
