import type { SearchParameter } from '@medplum/fhirtypes';

/**
 * `compute` remembered per definition object and resource type: these answers depend only on the
 * loaded definitions, and a package loaded later registers new objects.
 */
export function memoByParamAndType<T>(compute: (resourceType: string, param: SearchParameter) => T): (resourceType: string, param: SearchParameter) => T {
  const memo = new WeakMap<SearchParameter, Map<string, T>>();
  return (resourceType, param) => {
    let byType = memo.get(param);
    if (!byType) memo.set(param, (byType = new Map()));
    const known = byType.get(resourceType);
    if (known !== undefined || byType.has(resourceType)) return known as T;
    const computed = compute(resourceType, param);
    byType.set(resourceType, computed);
    return computed;
  };
}
