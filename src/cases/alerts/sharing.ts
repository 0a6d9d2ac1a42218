import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import type { ChatModule } from "../../chat/router.js";
import type { GuardedRoom } from "../../guard/room-guard.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { ScheduledTask } from "../../schedule/scheduler.js";
import { Alerts, type AlertsOptions } from "./alerts.js";
import { Approvals } from "./approvals.js";
import { sharingCommands } from "./commands.js";
import { Drafts, type DraftsOptions } from "./drafts.js";
import { sharingTasks } from "./jobs.js";
import { Warnings, type WarningsOptions } from "./warnings.js";

export type SharingOptions = DraftsOptions &
  Omit<AlertsOptions, "drafts"> &
  Omit<WarningsOptions, "drafts">;

/**
 * What leaves a case for others, with the partner's approval: community alerts and private
 * warnings, sharing one draft, review and approval workflow.
 */
export class Sharing {
  private readonly drafts: Drafts;
  private readonly approvals: Approvals;
  private readonly alerts: Alerts;
  private readonly warnings: Warnings;

  constructor(private readonly options: SharingOptions) {
    this.drafts = new Drafts(options);
    this.approvals = new Approvals({ ...options, drafts: this.drafts });
    this.alerts = new Alerts({ ...options, drafts: this.drafts });
    this.warnings = new Warnings({ ...options, drafts: this.drafts });
  }

  chatModules(): ChatModule[] {
    const { alerts, warnings, approvals } = this;
    return [{ commands: sharingCommands({ alerts, warnings, approvals }) }];
  }

  tasks(): ScheduledTask[] {
    return sharingTasks(this.warnings);
  }

  exchanges(): ExchangeResolver {
    return this.drafts.exchanges();
  }

  roomEvent(event: MatrixEvent, manager: EntityManager): Promise<void> {
    return this.warnings.roomEvent(event, manager);
  }

  guardOf(roomId: string): Promise<GuardedRoom | undefined> {
    return this.warnings.guardOf(roomId);
  }

  /** The case closed: warning rooms are left, drafts deleted, posted alerts unlinked. */
  async forgetCase(manager: EntityManager, caseId: string): Promise<void> {
    await this.warnings.forgetCase(manager, caseId);
    await this.options.store.forgetCase(manager, caseId);
  }
}
