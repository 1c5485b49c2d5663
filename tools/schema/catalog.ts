import type { Client, Pool } from 'pg';

/**
 * The schema of a database as lines of text read from the catalog, one per object or column, in a
 * stable order: what pg_dump would print, without depending on pg_dump or on its version. Two
 * databases on the same server have the same lines exactly when their schemas are the same.
 * Objects of the system schemas and members of extensions (pg_trgm's functions) are left out; the
 * extensions themselves are listed.
 */
const CATALOG = `
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
     WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'
), own AS (
    -- Objects an extension brought: its own, not the schema's.
    SELECT objid FROM pg_depend WHERE deptype = 'e'
)
SELECT line FROM (
    SELECT format('schema %s', nspname) AS line FROM ns
    UNION ALL
    SELECT format('extension %s in %s', e.extname, n.nspname)
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'
    UNION ALL
    SELECT format('relation %s.%s kind %s', ns.nspname, c.relname, c.relkind)
      FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.oid NOT IN (SELECT objid FROM own) AND c.relkind <> 'c'
    UNION ALL
    -- Columns of tables, views and composite types, numbered in order (a dropped column leaves no gap).
    SELECT format('column %s.%s #%s %s %s%s%s%s%s', ns.nspname, c.relname,
                  row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname, format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                  CASE WHEN d.adbin IS NULL THEN ''
                       WHEN a.attgenerated = 's' THEN ' generated ' || pg_get_expr(d.adbin, d.adrelid)
                       ELSE ' default ' || pg_get_expr(d.adbin, d.adrelid) END,
                  CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END,
                  CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT typcollation FROM pg_type WHERE oid = a.atttypid)
                       THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END)
      FROM pg_class c JOIN ns ON ns.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.oid NOT IN (SELECT objid FROM own)
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
    UNION ALL
    SELECT format('constraint %s on %s.%s: %s%s', con.conname, ns.nspname, coalesce(c.relname, t.typname),
                  pg_get_constraintdef(con.oid), CASE WHEN con.condeferrable THEN ' deferrable' ELSE '' END)
      FROM pg_constraint con JOIN ns ON ns.oid = con.connamespace
      LEFT JOIN pg_class c ON c.oid = con.conrelid LEFT JOIN pg_type t ON t.oid = con.contypid
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
     WHERE c.oid NOT IN (SELECT objid FROM own)
    UNION ALL
    SELECT format('sequence %s.%s %s start %s increment %s min %s max %s cache %s%s%s', ns.nspname, c.relname,
                  format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                  CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END,
                  coalesce((SELECT format(' owned by %s.%s', oc.relname, oa.attname)
                              FROM pg_depend d JOIN pg_class oc ON oc.oid = d.refobjid
                              JOIN pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid
                             WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                               AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')), ''))
      FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns ON ns.oid = c.relnamespace
     WHERE c.oid NOT IN (SELECT objid FROM own)
    UNION ALL
    SELECT format('view %s.%s: %s', ns.nspname, c.relname, pg_get_viewdef(c.oid))
      FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND c.oid NOT IN (SELECT objid FROM own)
    UNION ALL
    SELECT format('trigger %s', pg_get_triggerdef(tg.oid))
      FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN ns ON ns.oid = c.relnamespace WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT format('type %s.%s %s%s', ns.nspname, t.typname, t.typtype,
                  CASE t.typtype
                      WHEN 'e' THEN ' (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                               FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
                      WHEN 'd' THEN ' over ' || format_type(t.typbasetype, t.typtypmod)
                                    || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
                      ELSE '' END)
      FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
     WHERE t.oid NOT IN (SELECT objid FROM own) AND t.typtype IN ('c', 'e', 'd', 'r')
       -- A table's row type comes with the table, and an array type with its element.
       AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
    UNION ALL
    SELECT format('function %s', pg_get_functiondef(p.oid))
      FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace WHERE p.oid NOT IN (SELECT objid FROM own) AND p.prokind IN ('f', 'p', 'w')
    UNION ALL
    SELECT format('aggregate %s.%s(%s)', ns.nspname, p.proname, pg_get_function_arguments(p.oid))
      FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace WHERE p.oid NOT IN (SELECT objid FROM own) AND p.prokind = 'a'
    UNION ALL
    SELECT format('comment on %s: %s', o.identity, d.description)
      FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) AS o
     WHERE d.objoid NOT IN (SELECT objid FROM own)
       AND (o.schema IN (SELECT nspname FROM ns) OR d.classoid = 'pg_extension'::regclass)
) AS described
ORDER BY line COLLATE "C"`;

/** The lines of CATALOG for the database the client is connected to. */
export async function describeSchema(db: Pool | Client): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(CATALOG);
  return rows.map((r) => r.line);
}

/** Lines only in `expected` (-) and only in `actual` (+), for a message that shows what changed. */
export function schemaDifference(expected: string[], actual: string[]): string[] {
  const inActual = new Set(actual);
  const inExpected = new Set(expected);
  return [
    ...expected.filter((l) => !inActual.has(l)).map((l) => `- ${l}`),
    ...actual.filter((l) => !inExpected.has(l)).map((l) => `+ ${l}`),
  ];
}
