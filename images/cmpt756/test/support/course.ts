/**
 * boto3's ResponseMetadata, as the course's datastore answered it for a read,
 * an update and a delete (and s1 and s2 passed on): DynamoDB's status, request
 * id, HTTP headers (lower-case names) and the SDK's retries.
 */
export const responseMetadata = {
  HTTPStatusCode: 200,
  RequestId: expect.stringMatching(/^\S+$/),
  HTTPHeaders: expect.objectContaining({
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-requestid": expect.stringMatching(/^\S+$/),
    "x-amz-crc32": expect.stringMatching(/^\d+$/),
  }),
  RetryAttempts: 0,
};

/** A read's answer: DynamoDB's Query result with its metadata. */
export const queryResult = (items: Array<Record<string, unknown>>) => ({
  Count: items.length,
  ScannedCount: items.length,
  Items: items,
  ResponseMetadata: responseMetadata,
});

/**
 * How the course's loader reads an answer of POST /load (sfu-cmpt756
 * `e-k8s/loader/app.py`: `response.json()`, then `check_resp`): one holding
 * `http_status_code` is a failure it reports (None); any other must hold
 * `key`, or the loader dies with a KeyError, as it did on `{"error": ...}`.
 */
export function courseCheckResp(answer: Record<string, unknown>, key: string): unknown {
  if ("http_status_code" in answer) return null;
  if (!(key in answer)) throw new Error(`the course's loader crashes: KeyError '${key}' in ${JSON.stringify(answer)}`);
  return answer[key];
}
