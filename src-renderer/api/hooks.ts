import { useCallback, useEffect, useState } from "react";
import type { ArgsOf, EngineEvents, EventName, Method, ResultOf } from "../../src-shared/api";
import { api, call } from "./client";

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Calls a method on mount and whenever the store changes; `args` is compared by its JSON. */
export function useApiQuery<M extends Method>(method: M, args: ArgsOf<M>): Loaded<ResultOf<M>> {
  const key = JSON.stringify(args);
  const [state, setState] = useState<{ data: ResultOf<M> | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let live = true;
    // Keeps showing the previous data while a reload is in flight, so grids and tiles do not flicker.
    call(method, JSON.parse(key) as ArgsOf<M>).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => live && setState({ data: null, error: error.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [method, key, generation]);

  useEvent("store/changed", reload);
  return { ...state, reload };
}

export function useEvent<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): void {
  useEffect(() => api().subscribe(event, listener), [event, listener]);
}
