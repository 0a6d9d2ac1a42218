/** What recusal needs of the directory. */
export interface RecusalDirectory {
  readonly abuseTeam: readonly string[];
  organisationOf(userId: string): { readonly members: readonly string[] } | undefined;
}

/**
 * Who may not handle a report (the Code of Conduct: "If the person who is harassing you is part
 * of the organizing staff, they will recuse themselves"): the person named, everyone of their
 * organisation, and the reporter.
 */
export function recused(
  directory: Pick<RecusalDirectory, "organisationOf">,
  reporter: string,
  named: string | undefined,
): Set<string> {
  const people = new Set([reporter]);
  if (named !== undefined) {
    people.add(named);
    for (const member of directory.organisationOf(named)?.members ?? []) people.add(member);
  }
  return people;
}

/** The abuse team members who handle a report: everyone not recused. */
export function handlersOf(
  directory: RecusalDirectory,
  reporter: string,
  named: string | undefined,
): string[] {
  const out = recused(directory, reporter, named);
  return directory.abuseTeam.filter((member) => !out.has(member));
}
