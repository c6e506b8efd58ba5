export { HttpError, errorAnswer, installJsonErrors, type ErrorAnswer } from "./errors";
export { createLabService, type LabServiceOptions } from "./layout";
export { DatastoreClient, type DatastoreClientOptions, type Fields, type ReadResult, type ResponseMetadata } from "./datastore-client";
export { issueToken, verifyToken, tokenKey, tokenFromHeader, requireAuth, type TokenKey } from "./token";
export { readFrontSettings, type FrontSettings } from "./settings";
export { runService } from "./run";
export { createFrontService, idRequired, objectRoutes, optionalStringFields, someOf, stringFields, type FrontService } from "./front";
