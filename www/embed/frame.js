// embed.html: the iframe form. Query parameters become the element's attributes;
// only the known ones are copied, as attributes (never as HTML). Where a
// scenario may come from is the element's rule (app/scenario-source.js): on this
// site, `scenario` names a file in scenarios/ and `src` must point there too.
import './incident-replay.js';

const ATTRIBUTES = ['scenario', 'src', 'seed', 't', 'params', 'toggles', 'controls', 'view', 'height', 'theme', 'caption', 'story'];
const FLAGS = ['autoplay', 'figure'];

/** Longer values are cut: a link's settings are a few words, never a document. */
const VALUE_MAX = 2048;

const query = new URLSearchParams(location.search);
const element = document.createElement('incident-replay');
for (const name of ATTRIBUTES) if (query.has(name)) element.setAttribute(name, query.get(name).slice(0, VALUE_MAX));
for (const name of FLAGS) if (query.has(name) && query.get(name) !== '0') element.setAttribute(name, '');
document.getElementById('replay').append(element);
