import {
  DeviceLists,
  RequestType,
  type OlmMachine,
  type OutgoingRequest,
  ToDeviceRequest,
} from "@matrix-org/matrix-sdk-crypto-wasm";

type Json = Record<string, unknown>;

/**
 * The few key endpoints of a homeserver that two OlmMachines need to talk, answered in memory:
 * uploads, queries, one-time-key claims and to-device delivery. So the crypto is measured without
 * HTTP or sync in the way.
 */
export class InMemoryKeyServer {
  private readonly deviceKeys = new Map<string, Json>();
  private readonly oneTimeKeys = new Map<string, [string, unknown][]>();

  constructor(private readonly machines: ReadonlyMap<string, OlmMachine>) {}

  /** Answers every outgoing request of every machine until none is left. */
  async settle(): Promise<void> {
    for (let rounds = 0; rounds < 20; rounds++) {
      let answered = 0;
      for (const [userId, machine] of this.machines) {
        for (const request of await machine.outgoingRequests()) {
          await this.answer(userId, machine, request);
          answered++;
        }
      }
      if (answered === 0) return;
    }
    throw new Error("the machines kept asking: the key exchange did not settle");
  }

  /** Delivers a machine's to-device messages (room keys) to their recipients. */
  async deliver(sender: string, requests: readonly ToDeviceRequest[]): Promise<void> {
    for (const request of requests) {
      const body = JSON.parse(request.body) as { messages: Record<string, Record<string, Json>> };
      for (const [userId, devices] of Object.entries(body.messages)) {
        const events = Object.values(devices).map((content) => ({
          sender,
          type: request.event_type,
          content,
        }));
        await this.machines
          .get(userId)
          ?.receiveSyncChanges(
            JSON.stringify(events),
            new DeviceLists(),
            new Map([["signed_curve25519", 50]]),
            new Set(),
          );
      }
      const machine = this.machines.get(sender);
      await machine?.markRequestAsSent(request.id, RequestType.ToDevice, "{}");
    }
  }

  /** Answers one request of a machine (as a homeserver would) and marks it sent. */
  async answer(userId: string, machine: OlmMachine, request: OutgoingRequest): Promise<void> {
    const body = JSON.parse(request.body) as Json;
    let response: Json = {};
    switch (request.type) {
      case RequestType.KeysUpload: {
        const device = body["device_keys"] as Json | undefined;
        if (device) this.deviceKeys.set(userId, device);
        const keys = Object.entries((body["one_time_keys"] as Json | undefined) ?? {});
        const stock = [...(this.oneTimeKeys.get(userId) ?? []), ...keys];
        this.oneTimeKeys.set(userId, stock);
        response = { one_time_key_counts: { signed_curve25519: stock.length } };
        break;
      }
      case RequestType.KeysQuery: {
        const asked = Object.keys(body["device_keys"] as Json);
        const found: Record<string, Json> = {};
        for (const user of asked) {
          const keys = this.deviceKeys.get(user);
          if (keys) found[user] = { [String(keys["device_id"])]: keys };
        }
        response = { device_keys: found, failures: {} };
        break;
      }
      case RequestType.KeysClaim: {
        const asked = body["one_time_keys"] as Record<string, Record<string, string>>;
        const claimed: Record<string, Record<string, Json>> = {};
        for (const [user, devices] of Object.entries(asked)) {
          for (const device of Object.keys(devices)) {
            const key = this.oneTimeKeys.get(user)?.shift();
            if (key) claimed[user] = { [device]: { [key[0]]: key[1] } };
          }
        }
        response = { one_time_keys: claimed, failures: {} };
        break;
      }
      case RequestType.ToDevice:
        if (request instanceof ToDeviceRequest) {
          await this.deliver(userId, [request]);
          return;
        }
        break;
      default:
        break;
    }
    await machine.markRequestAsSent(String(request.id), request.type, JSON.stringify(response));
  }
}
