// The person's app: its first screen. (The shell, the screens and the service worker come next.)
document.documentElement.dataset.app = "ready";
