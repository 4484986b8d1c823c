// Catches a render error in one page so the rest of the app (nav, banner) stays usable: never a blank page.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** Changing it (e.g. the page) clears a caught error. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
  forKey: string;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, forKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.forKey ? { error: null, forKey: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('surfacemap UI error', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="notice notice-error" role="alert">
        <h2>This page hit a bug</h2>
        <p>
          The page could not be drawn: <code>{this.state.error.message}</code>
        </p>
        <p>
          Reload the page to try again. If it keeps happening, please report it with the steps that led here (the
          browser console has the details).
        </p>
        <p>
          <button type="button" onClick={() => location.reload()}>
            Reload
          </button>
        </p>
      </section>
    );
  }
}
