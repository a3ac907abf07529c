// The site's service worker: a post read once opens again, widgets included, with the
// network off, and the Python runtime is downloaded once per browser (a private window too).
//
// The build writes this file to the site root as sw.js (so that it may serve every page),
// with VERSION set to the names of the runtime's content-hashed folder and demos zip: a new
// runtime gives a new service worker, which drops every file the old one kept.
//
// What it does with a request of this site (other hosts, and anything but GET, pass by):
//   the runtime (vendor/pyodide-<hash>/..., py/demos-<hash>.zip): its URL names one content
//     forever, so a kept copy is served without asking the network;
//   videos: left to the browser (large, fetched in ranges);
//   everything else: the network first, the kept copy only when the network cannot answer.
//     A page is always asked for again (a published change shows at once); other files
//     follow the server's caching rules, as they would without a service worker.
//
// A page fetched before this worker took control (the first one a reader opens) is not kept
// by the above: it sends {type: "keep", urls} with itself, its files and the runtime it
// loaded, and what is not kept yet is kept (from the browser's HTTP cache, most of it).
"use strict";

const VERSION = "@@NN_SW_VERSION@@";
const CACHE = `nn-${VERSION}`;
const SCOPE = new URL("./", self.location.href).pathname;
const CONTENT_ADDRESSED = [`${SCOPE}vendor/pyodide-`, `${SCOPE}py/demos-`];

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("nn-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function keep(request, response) {
  if (response.ok && response.type === "basic" && !response.redirected) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function fromCacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  return kept || keep(request, await fetch(request));
}

// `page`: an HTML page (opened, or fetched by the theme's instant navigation). It is
// revalidated every time, so that after a new build the reader gets the new page.
async function fromNetworkFirst(request, page) {
  let response;
  try {
    response = await fetch(page ? new Request(request.url, { cache: "no-cache", credentials: "same-origin" }) : request);
  } catch (error) {
    const kept = await caches.match(request, { ignoreVary: true, ignoreSearch: page });
    if (kept) return kept;
    throw error;
  }
  // A navigation may not be answered with a followed redirect: send the browser there instead.
  if (page && response.redirected) return Response.redirect(response.url, 301);
  return keep(request, response);
}

async function keepAll(urls) {
  const cache = await caches.open(CACHE);
  for (const address of new Set(urls)) {
    const url = new URL(address, self.location.href);
    if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE) || url.pathname.endsWith(".mp4")) continue;
    url.hash = "";
    if (await cache.match(url.href)) continue;
    try {
      await keep(new Request(url.href), await fetch(url.href));
    } catch (error) {
      // Offline already, or the file is gone: it is simply not kept.
    }
  }
}

self.addEventListener("message", (event) => {
  if (event.data?.type === "keep" && Array.isArray(event.data.urls)) event.waitUntil(keepAll(event.data.urls));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  if (request.headers.has("range") || url.pathname.endsWith(".mp4")) return;
  if (CONTENT_ADDRESSED.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(fromCacheFirst(request));
  } else {
    const page = request.mode === "navigate" || url.pathname.endsWith("/") || url.pathname.endsWith(".html");
    event.respondWith(fromNetworkFirst(request, page));
  }
});
