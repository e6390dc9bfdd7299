// embed.html: the iframe form. Query parameters become the element's attributes;
// only the known ones are copied, as attributes (never as HTML).
import './incident-replay.js';

const ATTRIBUTES = ['scenario', 'src', 'seed', 't', 'params', 'toggles', 'controls', 'view', 'height', 'theme', 'caption'];
const FLAGS = ['autoplay', 'figure'];

const query = new URLSearchParams(location.search);
const element = document.createElement('incident-replay');
for (const name of ATTRIBUTES) if (query.has(name)) element.setAttribute(name, query.get(name));
for (const name of FLAGS) if (query.has(name) && query.get(name) !== '0') element.setAttribute(name, '');
document.getElementById('replay').append(element);
