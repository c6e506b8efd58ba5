/**
 * Third-party images the labs pull, each pinned by version and digest so a
 * deployment is the same every time. Digests were taken from public
 * references and could not be pulled on the machine that wrote them (no
 * Docker engine there): see README, "What is not verified here".
 */
export const THIRD_PARTY_IMAGES = {
  dynamodbLocal: "amazon/dynamodb-local:2.5.4@sha256:cf8cebd061f988628c02daff10fdb950a54478feff9c52f6ddf84710fe3c3906",
  redis: "redis:7.4.1-alpine@sha256:c1e88455c85225310bbea54816e9c3f4b5295815e6dbf80c34d40afc6df28275",
  postgres: "postgres:16.4-alpine@sha256:5660c2cbfea50c7a9127d17dc4e48543eedd3d7a41a595a2dfa572471e37e64c",
  /** The kleeweb worker's default job image (KLEE 3.0), pre-pulled so jobs never wait for it. */
  klee: "klee/klee:3.0@sha256:05a6be25f3d58cfbc3a5592b965ea06e00405a475ad3f418f3f900f09d31d9bd",
} as const;
