import type { MatrixClient, MatrixEvent } from "matrix-js-sdk";
import type { DataSource, EntityManager } from "typeorm";
import type { Say } from "../../chat/bot-message.js";
import type { Catalog } from "../../chat/catalog.js";
import type { ChatModule } from "../../chat/router.js";
import type { Directory } from "../../config/directory.js";
import type { GuardedRoom } from "../../guard/room-guard.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { RoomBans } from "../../matrix/room-bans.js";
import { RoomMaker } from "../../matrix/rooms.js";
import type { Logger } from "../../log/log.js";
import type { Exchange } from "../../policy/audience.js";
import type { Scheduler, ScheduledTask } from "../../schedule/scheduler.js";
import type { ConductReport } from "../../store/entities/conduct-report.js";
import type { FieldCipher } from "../../store/field-cipher.js";
import { conductCommands, openReport } from "./commands.js";
import { ConductStore } from "./conduct-store.js";
import { conductIntake } from "./intake.js";
import { conductTasks } from "./jobs.js";
import { reportForHandlers } from "./messages.js";
import type { ConductServices } from "./services.js";

/** The bot's parts the conduct workflow acts through. */
export interface ConductOptions {
  /** Who the bot is (it makes the report rooms, and is never expelled). */
  readonly client: Pick<MatrixClient, "getSafeUserId">;
  readonly dataSource: DataSource;
  readonly cipher: FieldCipher;
  readonly catalog: Catalog;
  readonly directory: () => Directory;
  readonly rooms: RoomMaker;
  /** What an expulsion does: bans from the rooms the bot moderates (configured and case rooms). */
  readonly bans: RoomBans;
  readonly say: Say;
  readonly jobs: () => Pick<Scheduler, "schedule">;
  readonly log: Logger;
}

/**
 * The Code of Conduct's reporting path: a confidential report from anyone who shares a DSX room
 * with the bot; a room per report with the abuse team minus whoever is recused (the person named,
 * their organisation, the reporter); notes, warnings and expulsions there; the reporter kept
 * informed of what they can safely know, and never named to anyone if they asked.
 */
export class Conduct {
  private readonly services: ConductServices;

  constructor(options: ConductOptions) {
    this.services = { ...options, store: new ConductStore(options.cipher) };
  }

  chatModule(): ChatModule {
    const intake = conductIntake((context, report) => openReport(this.services, context, report));
    return { dialogues: [intake], commands: conductCommands(this.services, intake) };
  }

  tasks(): ScheduledTask[] {
    return conductTasks(this.services);
  }

  /** Report rooms, as the guard holds them: only the report's handlers (RED). */
  async guardOf(roomId: string): Promise<GuardedRoom | undefined> {
    const report = await this.services.store.byRoom(this.services.dataSource.manager, roomId);
    if (!report) return undefined;
    return { label: "RED", caseId: report.caseId, exchange: this.exchange(report) };
  }

  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId) => {
        const report = await this.services.store.get(this.services.dataSource.manager, caseId);
        return report?.state === "open" ? this.exchange(report) : undefined;
      },
    };
  }

  /** A handler joining the report's room gets the report (joined-only history). */
  async roomEvent(event: MatrixEvent, manager: EntityManager): Promise<void> {
    if (event.getType() !== "m.room.member" || event.getContent()["membership"] !== "join") return;
    const { store } = this.services;
    const roomId = event.getRoomId() ?? "";
    const report =
      (await store.byRoom(manager, roomId)) ?? (await this.unrecordedRoom(manager, roomId));
    if (!report || !store.handlers(report).includes(event.getStateKey() ?? "")) return;
    const details = store.details(report);
    const earlier = await store.otherReportersOf(manager, report);
    await this.services.say(
      manager,
      report.roomId ?? "",
      reportForHandlers(this.services.catalog, this.services.directory(), {
        caseId: report.caseId,
        details,
        earlier,
      }),
    );
  }

  /**
   * A report room the bot made whose job has not recorded it yet: a handler joined in between
   * (quick, or the bot was killed after the invites). The room is recorded now, by its case
   * marker, so that the handler gets the report; the job finds it recorded.
   */
  private async unrecordedRoom(
    manager: EntityManager,
    roomId: string,
  ): Promise<ConductReport | undefined> {
    const { rooms, client, store } = this.services;
    const room = rooms.room(roomId);
    const caseId = room && RoomMaker.caseOf(room, client.getSafeUserId(), "report");
    if (caseId === undefined) return undefined;
    const report = await store.get(manager, caseId);
    if (report?.state !== "open" || report.roomId !== null) return undefined;
    await store.recordRoom(manager, report, roomId);
    return report;
  }

  private exchange(report: ConductReport): Exchange {
    return {
      participants: new Set([
        ...this.services.store.handlers(report),
        this.services.client.getSafeUserId(),
      ]),
      organisations: new Set(),
    };
  }
}
