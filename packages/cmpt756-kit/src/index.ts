export { HttpError, installJsonErrors } from "./errors";
export { createLabService, type LabServiceOptions } from "./layout";
export { DatastoreClient, type Fields, type ReadResult } from "./datastore-client";
export { issueToken, verifyToken, tokenKey, tokenFromHeader, requireAuth, type TokenKey } from "./token";
export { readFrontSettings, type FrontSettings } from "./settings";
export { runService } from "./run";
export { createFrontService, objectRoutes, stringFields, type FrontService } from "./front";
