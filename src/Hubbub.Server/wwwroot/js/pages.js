// The console's pages, in menu order. A page is one ES module exporting `mount(root, ctx)` (and optionally
// `unmount(root)`), loaded the first time it is shown; adding a page is one line here (docs/console.md).
// Features declare their own pages in C# (FeatureBuilder.ConsolePage): those come from /console/pages.json, first
// and in FeatureCatalog order (Chat and Rooms lead: Messaging and Rooms are its first features).
import { registerPage, registerFeaturePages } from './shell/registry.js';

await registerFeaturePages();
registerPage({ id: 'tester', title: 'Connection tester', load: () => import('./pages/tester.js') });
registerPage({ id: 'operator', title: 'Operator', adminOnly: true, load: () => import('./pages/operator.js') });
registerPage({ id: 'webhooks', title: 'Webhooks', adminOnly: true, load: () => import('./pages/webhooks.js') });
