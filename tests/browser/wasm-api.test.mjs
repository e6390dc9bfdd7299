// The WASM's own face, called directly from a page (no player): injected
// actions in the JSON form go through the same path-tracking parser as an
// actions file, so a wrong field is named by its full path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './harness.mjs';

let env;
before(async () => { env = await launch('.'); });
after(async () => { await env?.close(); });

/** Call `run_outcome` on sandbox-raft with `actions`; the error's file, path and reason, or 'ok'. */
async function runWith(page, actions) {
  return page.evaluate(async (actions) => {
    const core = await import('/www/pkg/incident_replay.js');
    await core.default();
    const json = await (await fetch('/scenarios/sandbox-raft.json')).text();
    try {
      core.run_outcome('sandbox-raft.json', json, {}, 1, actions);
      return 'ok';
    } catch (e) {
      return { name: e.name, file: e.file, path: e.path, reason: e.reason };
    }
  }, actions);
}

test('a JSON-form injected action with a wrong field names its path; a right one runs', async () => {
  const { page, context } = await openPage(env.browser, `${env.base}tests/browser/fixtures/one-embed.html`);
  try {
    assert.equal(await runWith(page, [{ at: '30s', action: { crash: { node: 's1' } } }]), 'ok');
    const wrongType = await runWith(page, ['20s crash s2', { at: '30s', action: { crash: { node: 7 } } }]);
    assert.equal(wrongType.name, 'ScenarioError');
    assert.equal(wrongType.file, 'sandbox-raft.json');
    assert.equal(wrongType.path, 'actions[1].action.crash.node');
    assert.match(wrongType.reason, /string/);
    const unknownAction = await runWith(page, [{ at: '30s', action: { explode: {} } }]);
    assert.equal(unknownAction.path, 'actions[0].action');
    assert.match(unknownAction.reason, /unknown variant `explode`/);
  } finally {
    await context.close();
  }
});
