import type { EntityManager } from "typeorm";
import type { Say } from "../../chat/bot-message.js";
import type { Catalog } from "../../chat/catalog.js";
import type { Directory } from "../../config/directory.js";
import type { RoomMaker } from "../../matrix/rooms.js";
import type { TlpNames } from "../../policy/tlp.js";
import type { Scheduler } from "../../schedule/scheduler.js";
import type { AttachmentStore } from "../../store/attachment-store.js";
import type { IncidentStore } from "./incident-store.js";

/**
 * What the parts of the incidents workflow share: the stores, the directory, a way to say
 * something (through the outbox, in the caller's transaction) and durable jobs. Scheduled jobs
 * and membership changes have no chat context; they act through this.
 */
export interface IncidentServices {
  /** Reads outside a transaction (before a job's network work). */
  readonly reader: () => EntityManager;
  readonly store: IncidentStore;
  readonly attachments: AttachmentStore;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  readonly directory: () => Directory;
  readonly triageRoomId: () => string | undefined;
  /** The language the triage room hears (`roomLanguages.triage`). */
  readonly triageLanguage: () => string;
  readonly botUserId: () => string;
  /** Queues a message in the caller's transaction (the outbox checks it before sending). */
  readonly say: Say;
  readonly jobs: () => Pick<Scheduler, "schedule" | "cancel">;
  readonly rooms: RoomMaker;
  readonly offerTimeoutMs: () => number;
  readonly automaticOffers: () => boolean;
}
