import { ref } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'petzi-dashboard-theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

/**
 * Light or dark: the OS's choice by default, or the user's (kept in localStorage). The effective
 * theme is set on <html data-theme>, which style.css reads; `dark` tells the charts.
 */
export function useTheme() {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const choice = ref<ThemeChoice>(stored());
  const dark = ref(false);

  function apply(): void {
    dark.value = choice.value === 'dark' || (choice.value === 'system' && media.matches);
    document.documentElement.dataset.theme = dark.value ? 'dark' : 'light';
  }

  function choose(next: ThemeChoice): void {
    choice.value = next;
    try {
      if (next === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // Private mode: the choice lasts this visit only.
    }
    apply();
  }

  media.addEventListener('change', apply);
  apply();

  function close(): void {
    media.removeEventListener('change', apply);
  }

  return { choice, dark, choose, close };
}
