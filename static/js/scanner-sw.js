// The scanner page's service worker (basesys/attendance/scanner.py serves it from
// /attendance/scanner/sw.js, after the lines that define SCANNER_VERSION, SCANNER_ASSETS,
// SCANNER_SCOPE and SCANNER_OFFLINE, the translated text of the page shown when none is cached). It touches only two kinds of request, and lets everything else (the API, the
// token, other pages) go to the network untouched:
// - a navigation to a scanner page: the network first, its answer cached; offline, the cached page;
// - the page's assets (css, js, the QR decoder): from this version's cache, filled at install.
/* global SCANNER_VERSION, SCANNER_ASSETS, SCANNER_SCOPE, SCANNER_OFFLINE */
"use strict";

const ASSET_CACHE = "basesys-scanner-assets-" + SCANNER_VERSION;
const PAGE_CACHE = "basesys-scanner-pages";  // kept across versions: a reload offline after an update still works
const PAGE_PATH = new RegExp("^" + SCANNER_SCOPE.replace(/\//g, "\\/") + "\\d+$");
const NETWORK_WAIT_MS = 6000;  // a network that answers nothing is offline too, once a page is cached

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(ASSET_CACHE)
      .then((cache) => cache.addAll(SCANNER_ASSETS.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("basesys-scanner-assets-") && key !== ASSET_CACHE).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

function offlinePage() {
  const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>" + escape(SCANNER_OFFLINE.title) + "</title>" +
    "<p style='font:1.2rem sans-serif;padding:1rem'>" + escape(SCANNER_OFFLINE.text) + "</p>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function scannerPage(request, path) {
  const cache = await caches.open(PAGE_CACHE);
  const network = fetch(request).then(async (response) => {
    // Only a real page: a redirect (logged out) or an error is passed on, never cached.
    if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(path, response.clone());
    }
    return response;
  });
  const cached = await cache.match(path);
  if (!cached) {
    return network.catch(() => offlinePage());
  }
  const late = new Promise((resolve) => setTimeout(() => resolve(cached), NETWORK_WAIT_MS));
  return Promise.race([network.catch(() => cached), late]);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGE_PATH.test(url.pathname)) {
    event.respondWith(scannerPage(request, url.pathname));
    return;
  }
  if (SCANNER_ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: ASSET_CACHE }).then((hit) => hit || fetch(request)));
  }
});
