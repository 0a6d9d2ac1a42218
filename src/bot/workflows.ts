import type { MatrixClient, MatrixEvent } from "matrix-js-sdk";
import type { DataSource, EntityManager } from "typeorm";
import type { Say } from "../chat/bot-message.js";
import type { Catalog } from "../chat/catalog.js";
import type { ChatModule } from "../chat/router.js";
import type { Directory } from "../config/directory.js";
import type { BotConfig } from "../config/schema.js";
import type { GuardedRoom } from "../guard/room-guard.js";
import type { ExchangeResolver } from "../matrix/outbox.js";
import { MatrixRoomBans } from "../matrix/room-bans.js";
import type { RoomMaker } from "../matrix/rooms.js";
import type { Logger } from "../log/log.js";
import type { ScheduledTask, Scheduler } from "../schedule/scheduler.js";
import { AttachmentStore } from "../store/attachment-store.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { AlertStore } from "../cases/alerts/alert-store.js";
import { Sharing } from "../cases/alerts/sharing.js";
import { AlertSources } from "../cases/alerts/sources.js";
import { auditModule } from "../cases/audit/audit.js";
import { Conduct } from "../cases/conduct/conduct.js";
import { IncidentStore } from "../cases/incidents/incident-store.js";
import { Incidents } from "../cases/incidents/incidents.js";
import { UnfinishedConversations } from "../chat/unfinished-conversations.js";
import { Statistics } from "../cases/statistics/statistics.js";
import { Vulnerabilities } from "../cases/vulnerabilities/vulnerabilities.js";
import { VulnerabilityStore } from "../cases/vulnerabilities/vulnerability-store.js";
import { caseExchanges } from "./case-exchanges.js";
import type { RoomKinds } from "./room-kinds.js";

/** What the workflows are given: the bot's parts they act through. */
export interface WorkflowParts {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly config: BotConfig;
  readonly directory: () => Directory;
  readonly cipher: FieldCipher;
  readonly catalog: Catalog;
  readonly roomKinds: Pick<RoomKinds, "roomIdOf">;
  readonly rooms: RoomMaker;
  /** Queues a message in the caller's transaction (the outbox checks it before sending). */
  readonly say: Say;
  readonly jobs: () => Scheduler;
  /** The rooms `!dsx expel` bans from. */
  readonly moderatedRooms: () => string[];
  readonly log: Logger;
}

/** Every workflow of the bot, and what the bot's core needs of them together. */
export interface Workflows {
  readonly incidents: Incidents;
  readonly vulnerabilities: Vulnerabilities;
  readonly conduct: Conduct;
  readonly sharing: Sharing;
  readonly statistics: Statistics;
  /** Forgets reports begun and left unfinished. */
  readonly unfinished: UnfinishedConversations;
  /** Their commands and dialogues. */
  readonly modules: readonly ChatModule[];
  /** The exchanges of their cases, by the case id's prefix. */
  readonly exchanges: ExchangeResolver;
  /** Their durable jobs. */
  readonly tasks: readonly ScheduledTask[];
  /** The rooms they guard, with the label and exchange each holds. */
  guardOf(roomId: string): Promise<GuardedRoom | undefined>;
  /** Room events other than messages (joins), in the event's transaction. */
  readonly roomEvents: readonly {
    handle(event: MatrixEvent, manager: EntityManager): Promise<void>;
  }[];
}

/**
 * Builds the workflows (incidents, vulnerabilities, harassment, alerts and warnings,
 * statistics, the audit) on the bot's parts: the one place they are wired together, for the
 * running bot and for the tests that drive every module.
 */
export function assembleWorkflows(parts: WorkflowParts): Workflows {
  const { client, dataSource, config, directory, cipher, catalog, roomKinds, rooms, say, jobs } =
    parts;
  const log = (component: string) => parts.log.child({ component });
  const incidents: Incidents = new Incidents({
    reader: () => dataSource.manager,
    store: new IncidentStore(cipher),
    attachments: new AttachmentStore(cipher),
    catalog,
    tlpNames: config.policy.tlpNames,
    types: () => config.incidents.types,
    maxFiles: () => config.incidents.attachments.maxFiles,
    directory,
    triageRoomId: () => roomKinds.roomIdOf("triage"),
    triageLanguage: () => config.roomLanguages.triage,
    botUserId: () => client.getSafeUserId(),
    say,
    jobs,
    rooms,
    offerTimeoutMs: () => config.incidents.offerTimeout.ms,
    automaticOffers: () => config.incidents.automaticOffers,
    closing: (manager, caseId) => sharing.forgetCase(manager, caseId),
  });
  const vulnerabilityStore = new VulnerabilityStore(cipher);
  const vulnerabilities = new Vulnerabilities({
    client,
    dataSource,
    store: vulnerabilityStore,
    catalog,
    tlpNames: config.policy.tlpNames,
    directory,
    rooms,
    say,
    jobs,
    policy: () => ({
      respondWithin: config.policy.disclosure.respondWithin.ms,
      escalateAfter: config.policy.disclosure.escalateAfter.ms,
      discloseAfter: config.policy.disclosure.discloseAfter.ms,
      remindBefore: config.policy.disclosure.remindBefore.ms,
      advisoryQuorum: config.policy.disclosure.advisoryQuorum,
    }),
    room: (key) => roomKinds.roomIdOf(key),
    roomLanguage: (key) => config.roomLanguages[key],
    log: log("vulnerabilities"),
  });
  const conduct = new Conduct({
    client,
    dataSource,
    cipher,
    catalog,
    directory,
    rooms,
    bans: new MatrixRoomBans(client, parts.moderatedRooms, log("conduct")),
    say,
    jobs,
    log: log("conduct"),
  });
  const sharing: Sharing = new Sharing({
    reader: () => dataSource.manager,
    store: new AlertStore(cipher),
    sources: new AlertSources({
      incidents: incidents.store,
      vulnerabilities: vulnerabilityStore,
      attachments: new AttachmentStore(cipher),
      directory,
      botUserId: () => client.getSafeUserId(),
    }),
    catalog,
    tlpNames: config.policy.tlpNames,
    directory,
    say,
    room: (key) => roomKinds.roomIdOf(key),
    roomLanguage: (key) => config.roomLanguages[key],
    advisoryRoomId: () => roomKinds.roomIdOf("advisory"),
    advisoryLanguage: () => config.roomLanguages.advisory,
    displayNames: (roomId) =>
      (client.getRoom(roomId)?.getMembers() ?? []).map((member) => member.name),
    advisoryQuorum: () => config.policy.disclosure.advisoryQuorum,
    exchanges: caseExchanges({ INC: incidents.exchanges(), VUL: vulnerabilities.exchanges() }),
    rooms,
    botUserId: () => client.getSafeUserId(),
    jobs,
  });
  const statistics = new Statistics({
    catalog,
    minimumCount: () => config.policy.statistics.minimumCount,
    donorsRoomId: () => roomKinds.roomIdOf("donors"),
    donorsLanguage: () => config.roomLanguages.donors,
    say,
    jobs,
  });
  const modules: ChatModule[] = [
    incidents.chatModule(),
    vulnerabilities.chatModule(),
    conduct.chatModule(),
    ...sharing.chatModules(),
    statistics.chatModule(),
    auditModule(vulnerabilityStore),
  ];
  const unfinished = new UnfinishedConversations({
    dialogues: () => modules.flatMap((module) => module.dialogues ?? []),
    cipher,
    catalog,
    forgetAfter: () => config.policy.conversations.forgetAfter.ms,
    say,
    jobs,
  });
  return {
    incidents,
    vulnerabilities,
    conduct,
    sharing,
    statistics,
    unfinished,
    modules,
    exchanges: caseExchanges({
      INC: incidents.exchanges(),
      VUL: vulnerabilities.exchanges(),
      COC: conduct.exchanges(),
      ALR: sharing.exchanges(),
    }),
    tasks: [
      ...incidents.tasks(),
      ...vulnerabilities.tasks(),
      ...conduct.tasks(),
      ...statistics.tasks(),
      ...sharing.tasks(),
      ...unfinished.tasks(),
    ],
    guardOf: async (roomId) =>
      (await incidents.guardOf(roomId)) ??
      (await conduct.guardOf(roomId)) ??
      (await sharing.guardOf(roomId)),
    roomEvents: [
      { handle: (event, manager) => incidents.roomEvent(event, manager) },
      { handle: (event, manager) => conduct.roomEvent(event, manager) },
      { handle: (event, manager) => sharing.roomEvent(event, manager) },
    ],
  };
}
