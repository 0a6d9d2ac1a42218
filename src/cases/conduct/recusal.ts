import { canonicalUserId } from "../../policy/user-id.js";

/** What recusal needs of the directory. */
export interface RecusalDirectory {
  readonly abuseTeam: readonly string[];
  readonly advisoryCommittee: readonly string[];
  organisationOf(
    userId: string,
  ): { readonly role?: string; readonly members: readonly string[] } | undefined;
}

/**
 * Who may not handle a report (the Code of Conduct: "If the person who is harassing you is part
 * of the organizing staff, they will recuse themselves"), as canonical user IDs (a capital
 * letter or an invisible character does not make another person): the person named, the
 * reporter, and,
 * outside DSX's own organisation, the named person's colleagues. DSX's own people are the usual
 * abuse team: recusing all of them for one of theirs would leave the report with nobody.
 */
export function recused(
  directory: Pick<RecusalDirectory, "organisationOf">,
  reporter: string,
  named: string | undefined,
): Set<string> {
  const people = new Set([canonicalUserId(reporter)]);
  if (named !== undefined) {
    people.add(canonicalUserId(named));
    const organisation = directory.organisationOf(named);
    if (organisation?.role !== "dsx")
      for (const member of organisation?.members ?? []) people.add(canonicalUserId(member));
  }
  return people;
}

/** Which body handles a report, and who of it. */
export interface Handling {
  readonly body: "abuse-team" | "advisory-committee";
  readonly handlers: string[];
}

/**
 * The abuse team less whoever is recused; if that leaves nobody, the advisory committee less
 * whoever is recused, as the independent body (DESIGN.md, "Abuse team"). No handlers at all
 * when both are emptied.
 */
export function handlingOf(
  directory: RecusalDirectory,
  reporter: string,
  named: string | undefined,
): Handling {
  const out = recused(directory, reporter, named);
  const free = (member: string) => !out.has(canonicalUserId(member));
  const team = directory.abuseTeam.filter(free);
  if (team.length > 0) return { body: "abuse-team", handlers: team };
  const committee = directory.advisoryCommittee.filter(free);
  return { body: "advisory-committee", handlers: committee };
}
