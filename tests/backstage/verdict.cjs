// Backstage's own verdict on catalog files, for tests/backstage_diff.rs.
//
// For each file named on stdin (one path per line) this does what a stock
// Backstage catalog does to a file it reads, with Backstage's own packages:
//
// 1. YAML: `yaml.parseAllDocuments(text, { merge: false })`, as
//    @backstage/plugin-catalog-node's parseEntityYaml does (YAML 1.2, so a
//    `<<` key is a literal key); a document with errors, or a root that is
//    not a mapping, rejects the file.
// 2. The catalog backend's default entity policies from
//    @backstage/catalog-model: SchemaValidEntityPolicy,
//    DefaultNamespaceEntityPolicy, NoForeignRootFieldsEntityPolicy and
//    FieldFormatEntityPolicy, in the order CatalogBuilder applies them.
// 3. Kind validation: the built-in kinds' validators (the ones
//    BuiltinKindsEntityProcessor uses), the MCP-server API and AiResource
//    validators that catalog-model ships, and the scaffolder's Template
//    validator. A kind no validator accepts is rejected, as Backstage's
//    processing loop does ("no processor recognized the entity").
// 4. Ref parsing: every relation field BuiltinKindsEntityProcessor emits is
//    parsed with parseEntityRef and its default kind, which throws on a ref
//    without a kind where none is implied (`dependsOn: [foo]`).
//
// 5. Location targets: a relative target that does not exist fails the
//    Location unless `presence: optional`, as Backstage's file and URL
//    readers do when they process it (a NotFoundError on the Location).
//
// It prints one JSON line per file: {"file", "ok", "reason"}.

const { readFileSync, existsSync } = require('node:fs');
const path = require('node:path');
const yaml = require('yaml');
const {
  EntityPolicies,
  SchemaValidEntityPolicy,
  DefaultNamespaceEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  FieldFormatEntityPolicy,
  makeValidator,
  parseEntityRef,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
} = require('@backstage/catalog-model');
const {
  mcpServerApiEntityValidator,
  aiResourceEntityV1alpha1Validator,
  skillAiResourceEntityV1alpha1Validator,
  ruleAiResourceEntityV1alpha1Validator,
  pluginAiResourceEntityV1alpha1Validator,
  marketplaceAiResourceEntityV1alpha1Validator,
} = require('@backstage/catalog-model/alpha');
const { templateEntityV1beta3Validator } = require('@backstage/plugin-scaffolder-common');

const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator()),
]);

/** Validators for one entity, chosen the way the catalog model layers are. */
function validatorsFor(entity) {
  const spec = entity.spec ?? {};
  const list = [
    componentEntityV1alpha1Validator,
    resourceEntityV1alpha1Validator,
    groupEntityV1alpha1Validator,
    locationEntityV1alpha1Validator,
    userEntityV1alpha1Validator,
    systemEntityV1alpha1Validator,
    domainEntityV1alpha1Validator,
    templateEntityV1beta3Validator,
  ];
  // The MCP-server API layer replaces the API schema for that spec type.
  list.push(spec.type === 'mcp-server' ? mcpServerApiEntityValidator : apiEntityV1alpha1Validator);
  const ai = {
    skill: skillAiResourceEntityV1alpha1Validator,
    rule: ruleAiResourceEntityV1alpha1Validator,
    plugin: pluginAiResourceEntityV1alpha1Validator,
    marketplace: marketplaceAiResourceEntityV1alpha1Validator,
  };
  list.push(ai[spec.type] ?? aiResourceEntityV1alpha1Validator);
  return list;
}

// BuiltinKindsEntityProcessor.postProcessEntity (and the scaffolder's
// processor for Template owners): the fields it turns into relations.
const REF_FIELDS = {
  Component: [['owner', 'Group'], ['subcomponentOf', 'Component'], ['providesApis', 'API'],
    ['consumesApis', 'API'], ['dependsOn'], ['dependencyOf'], ['system', 'System']],
  API: [['owner', 'Group'], ['system', 'System']],
  Resource: [['owner', 'Group'], ['dependsOn'], ['dependencyOf'], ['system', 'System']],
  User: [['memberOf', 'Group']],
  Group: [['parent', 'Group'], ['children', 'Group'], ['members', 'User']],
  System: [['owner', 'Group'], ['domain', 'Domain']],
  Domain: [['owner', 'Group'], ['subdomainOf', 'Domain']],
  Template: [['owner', 'Group']],
};

function checkTargets(entity, file) {
  if (entity.kind !== 'Location' || entity.spec?.presence === 'optional') return;
  const targets = [entity.spec?.target, ...(entity.spec?.targets ?? [])].filter((t) => typeof t === 'string');
  for (const t of targets) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t) || /[*?[{]/.test(t)) continue;
    if (!existsSync(path.resolve(path.dirname(file), t))) {
      throw new Error(`NotFoundError: Location target ${t} does not exist`);
    }
  }
}

async function checkEntity(raw, file) {
  const entity = await policy.enforce(raw);
  let known = false;
  for (const v of validatorsFor(entity)) {
    if (await v.check(entity)) {
      known = true;
      break;
    }
  }
  if (!known) {
    throw new Error(`no processor recognized kind ${entity.kind} (${entity.apiVersion})`);
  }
  const namespace = entity.metadata.namespace || 'default';
  for (const [field, defaultKind] of REF_FIELDS[entity.kind] ?? []) {
    const targets = entity.spec?.[field];
    if (!targets) continue;
    for (const t of [targets].flat()) {
      parseEntityRef(t, { defaultKind, defaultNamespace: namespace });
    }
  }
  checkTargets(entity, file);
}

async function verdict(file) {
  const text = readFileSync(file, 'utf8');
  let docs;
  try {
    docs = yaml.parseAllDocuments(text, { merge: false }).filter((d) => d);
  } catch (e) {
    return `YAML: ${e}`;
  }
  if (!Array.isArray(docs)) docs = [docs];
  for (const doc of docs) {
    if (doc.errors?.length) return `YAML: ${doc.errors[0]}`;
    const json = doc.toJSON();
    if (json === null) continue;
    if (typeof json !== 'object' || Array.isArray(json)) return `expected object at root, got ${typeof json}`;
    try {
      await checkEntity(json, file);
    } catch (e) {
      return String(e.message ?? e);
    }
  }
  return null;
}

async function main() {
  const files = readFileSync(0, 'utf8').split('\n').filter(Boolean);
  for (const file of files) {
    const reason = await verdict(file);
    process.stdout.write(JSON.stringify({ file, ok: reason === null, reason }) + '\n');
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(2);
});
