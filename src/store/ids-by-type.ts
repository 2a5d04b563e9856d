/** The ids of these resources by type, for `id = ANY(…)`, which every plan serves from an index. */
export function idsByType(targets: readonly { resourceType: string; id: string }[]): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  for (const { resourceType, id } of targets) {
    const ids = byType.get(resourceType);
    if (ids) ids.push(id);
    else byType.set(resourceType, [id]);
  }
  return byType;
}
