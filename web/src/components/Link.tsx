// An in-app link: a real href (open in a new tab works) that navigates without a page load.
import type { MouseEvent, ReactNode } from 'react';
import { navigateTo } from '../state/useView';

export function Link({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigateTo(href);
  };
  return (
    <a href={href} onClick={onClick} className={className}>
      {children}
    </a>
  );
}
