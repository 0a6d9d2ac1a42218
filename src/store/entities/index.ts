import { AuditEntry } from "./audit-entry.js";
import { HandledEvent } from "./handled-event.js";
import { ScheduledJob } from "./scheduled-job.js";

export { AuditEntry, HandledEvent, ScheduledJob };

/** Every entity the data source knows; listed here rather than found by a file glob. */
export const entities = [AuditEntry, HandledEvent, ScheduledJob];
