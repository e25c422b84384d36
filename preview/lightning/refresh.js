/**
 * lightning/refresh for the preview: Lightning Experience calls the registered handlers when the record page
 * refreshes; the preview has no record page, so nothing calls them (the card's own Refresh button still works).
 */
let lastId = 0;

export function registerRefreshHandler() {
    lastId += 1;
    return lastId;
}

export function unregisterRefreshHandler() {}
