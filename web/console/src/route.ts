// The page is in the URL's fragment (#/users): the server serves one page at /console/, and
// the browser's back and forward buttons work.
import { useEffect, useState } from 'preact/hooks';

export function currentRoute(): string {
  const hash = window.location.hash.replace(/^#\/?/, '');
  return hash.split('?')[0] || 'overview';
}

// The fragment's query (#/audit?event=login&outcome=failure): how one page links to another
// with a filter set.
export function routeQuery(): URLSearchParams {
  const hash = window.location.hash;
  const question = hash.indexOf('?');
  return new URLSearchParams(question < 0 ? '' : hash.slice(question + 1));
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
