// English is written in the code itself (the keys); only plural forms need entries here, and
// the few titles the API derives from a code that read wrong as they are.

export const EN: Record<string, string> = {
  "Sku taken": "SKU taken",
  "{{count}} drops_one": "{{count}} drop",
  "{{count}} drops_other": "{{count}} drops",
  "{{count}} rounds_one": "{{count}} round",
  "{{count}} rounds_other": "{{count}} rounds",
  "{{count}} items_one": "{{count}} item",
  "{{count}} items_other": "{{count}} items",
  "{{count}} epochs_one": "{{count}} epoch",
  "{{count}} epochs_other": "{{count}} epochs",
  "{{count}} days_one": "{{count}} day",
  "{{count}} days_other": "{{count}} days",
  "{{count}}-day streak_one": "{{count}}-day streak",
  "{{count}}-day streak_other": "{{count}}-day streak",
  "{{count}} holders_one": "{{count}} holder",
  "{{count}} holders_other": "{{count}} holders",
  "{{count}} reports_one": "{{count}} report",
  "{{count}} reports_other": "{{count}} reports",
  "{{count}} deliveries pending again._one": "{{count}} delivery pending again.",
  "{{count}} deliveries pending again._other": "{{count}} deliveries pending again.",
  "The {{count}} dead deliveries to {{url}} are sent again, oldest first._one": "The dead delivery to {{url}} is sent again.",
  "The {{count}} dead deliveries to {{url}} are sent again, oldest first._other": "The {{count}} dead deliveries to {{url}} are sent again, oldest first.",
};
