import { Alert } from "./alert.js";
import { Attachment } from "./attachment.js";
import { AuditEntry } from "./audit-entry.js";
import { CaseCounter } from "./case-counter.js";
import { ConductReport } from "./conduct-report.js";
import { Conversation } from "./conversation.js";
import { DataKeyCheck } from "./data-key-check.js";
import { HandledEvent } from "./handled-event.js";
import { Incident } from "./incident.js";
import { OutgoingMessage } from "./outgoing-message.js";
import { Person } from "./person.js";
import { RateMark } from "./rate-mark.js";
import { Sanction } from "./sanction.js";
import { ScheduledJob } from "./scheduled-job.js";
import { UndecryptableEvent } from "./undecryptable-event.js";
import { Vulnerability } from "./vulnerability.js";

export {
  Alert,
  Attachment,
  AuditEntry,
  CaseCounter,
  ConductReport,
  Conversation,
  DataKeyCheck,
  HandledEvent,
  Incident,
  OutgoingMessage,
  Person,
  RateMark,
  Sanction,
  ScheduledJob,
  UndecryptableEvent,
  Vulnerability,
};

/** Every entity the data source knows; listed here rather than found by a file glob. */
export const entities = [
  Alert,
  Attachment,
  AuditEntry,
  CaseCounter,
  ConductReport,
  Conversation,
  DataKeyCheck,
  HandledEvent,
  Incident,
  OutgoingMessage,
  Person,
  RateMark,
  Sanction,
  ScheduledJob,
  UndecryptableEvent,
  Vulnerability,
];
