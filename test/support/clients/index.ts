export {
  createE2eeClient,
  E2eeTestClient,
  type Credentials,
  type E2eeClientOptions,
  type EncryptedRoomOptions,
} from "./e2ee-client.js";
export { loginWithPassword, registerWithPassword } from "./registration.js";
export { silenceSdkLogging, testLogger } from "./silent-logger.js";
