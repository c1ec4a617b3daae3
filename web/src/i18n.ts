// Languages: Simplified Chinese and English, through i18next. The English text is the key (so a
// page reads as what it says, and a missing translation falls back to English rather than to
// an id); locales/zh.ts holds the Chinese. The language follows the browser's until the person
// picks one with the switch in the top bar, which is remembered in localStorage.

import i18next from "i18next";
import { EN } from "./locales/en";
import PROBLEMS_EN from "./locales/problems.en.json";
import PROBLEMS_ZH from "./locales/problems.zh.json";
import { ZH } from "./locales/zh";

export type Lang = "zh" | "en";

const STORAGE_KEY = "milestone.lang";

export function detectLang(): Lang {
  const chosen = localStorage.getItem(STORAGE_KEY);
  if (chosen === "zh" || chosen === "en") return chosen;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

void i18next.init({
  lng: detectLang(),
  fallbackLng: "en",
  supportedLngs: ["zh", "en"],
  resources: {
    en: { translation: { ...EN, ...problems(PROBLEMS_EN) } },
    zh: { translation: { ...ZH, ...problems(PROBLEMS_ZH) } },
  },
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";

/**
 * The message of each error code the app can receive, as `problem:<code>`: one JSON file per
 * language, so that tests/web/test_problem_messages.py can check that every code the API, the
 * rules or a car's verdict may carry has both.
 */
function problems(messages: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(messages).map(([code, text]) => [`problem:${code}`, text]));
}

export function lang(): Lang {
  return i18next.language === "zh" ? "zh" : "en";
}

/** The BCP 47 locale numbers and dates are written in. */
export function locale(): string {
  return lang() === "zh" ? "zh-CN" : "en-GB";
}

/** Switch language and remember the choice; the caller renders the page again. */
export function setLang(next: Lang): void {
  localStorage.setItem(STORAGE_KEY, next);
  void i18next.changeLanguage(next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
}

/** The text in the current language; `{{name}}` takes `values.name`, `count` picks a plural. */
export function t(key: string, values?: Record<string, unknown>): string {
  return String(i18next.t(key, values as never));
}

/** Whether the current language has its own text for `key` (no fallback to English). */
export function has(key: string): boolean {
  return i18next.exists(key, { lng: i18next.language, fallbackLng: false });
}
