import { tryDecode } from '../../kit/src';

/** Matches Functions route templates such as `api/tickets/{number}` (routePrefix ""). */
export interface CompiledRoute<T> {
  target: T;
  match(path: string): Record<string, string> | null;
}

export function compileRoute<T>(template: string, target: T): CompiledRoute<T> {
  const names: string[] = [];
  const pattern = template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\?)?\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]);
      return param[2] ? '?([^/]*)' : '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${pattern}$`, 'i');
  return {
    target,
    match(path) {
      const found = regex.exec(path.replace(/^\/+|\/+$/g, ''));
      if (!found) return null;
      const params: Record<string, string> = {};
      for (const [i, name] of names.entries()) {
        const raw = found[i + 1];
        if (raw === undefined || raw === '') continue;
        // A parameter that does not decode matches no route rather than throwing.
        const value = tryDecode(raw);
        if (value === undefined) return null;
        params[name] = value;
      }
      return params;
    },
  };
}
