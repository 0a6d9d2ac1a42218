import { Initial1763800000000 } from "./1763800000000-initial.js";
import { CaseCounters1764000000000 } from "./1764000000000-case-counters.js";
import { Incidents1764100000000 } from "./1764100000000-incidents.js";
import { Attachments1764200000000 } from "./1764200000000-attachments.js";
import { Offers1764300000000 } from "./1764300000000-offers.js";
import { Vulnerabilities1764400000000 } from "./1764400000000-vulnerabilities.js";
import { Conduct1764500000000 } from "./1764500000000-conduct.js";
import { Alerts1764600000000 } from "./1764600000000-alerts.js";
import { DataKeyCheck1764700000000 } from "./1764700000000-data-key-check.js";
import { DisclosureReview1764800000000 } from "./1764800000000-disclosure-review.js";
import { Limits1764810000000 } from "./1764810000000-limits.js";

/** Every migration, oldest first. A new migration is added here and never edited afterwards. */
export const migrations = [
  Initial1763800000000,
  CaseCounters1764000000000,
  Incidents1764100000000,
  Attachments1764200000000,
  Offers1764300000000,
  Vulnerabilities1764400000000,
  Conduct1764500000000,
  Alerts1764600000000,
  DataKeyCheck1764700000000,
  DisclosureReview1764800000000,
  Limits1764810000000,
];
