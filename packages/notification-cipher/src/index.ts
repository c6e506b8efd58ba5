export {
  KEY_BYTES, NONCE_BYTES, TAG_BYTES, wrongSecretKeyLength, secretKeyBytes, encodeBase64NoPad, decodeBase64NoPad,
  encryptCipherData, openCipherData, type OpenFailure, type OpenResult,
} from "./cipher";
export {
  NOTIFICATION_TYPES, isNotificationType, parseHashData, freshNotifyBody,
  type NotificationType, type HashData, type NotifyBody, type NotificationFields,
} from "./hash-data";
export { epochSeconds } from "./clock";
export { EXAMPLE_SECRET_KEY, EXAMPLE_TIMESTAMP, EXAMPLE_BODY } from "./example";
export {
  TOKEN_LEEWAY_SECONDS, tokenPublicKey, tokenPrivateKey, signGroupToken, verifyGroupToken,
} from "./token";
