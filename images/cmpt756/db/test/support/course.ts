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
