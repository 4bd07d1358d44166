// The interviewer-only review API, with the session cookie and Django's CSRF token.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function csrfToken(): string {
  const input = document.querySelector<HTMLInputElement>("input[name=csrfmiddlewaretoken]");
  if (input?.value) return input.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, { credentials: "same-origin", ...init, headers: { Accept: "application/json", ...init.headers } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      message = body.detail ?? body.error ?? body.message ?? JSON.stringify(body);
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError(response.status, message);
  }
  return (await response.json()) as T;
}

export function roomApi(room: string) {
  const base = `/api/v1/rooms/${encodeURIComponent(room)}`;
  return {
    updates: <T>() => request<T>(`${base}/updates`),
    transcript: <T>() => request<T>(`${base}/transcript`),
    scorecard: <T>() => request<T>(`${base}/scorecard`),
    saveScorecard: <T>(body: unknown) =>
      request<T>(`${base}/scorecard`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body),
      }),
  };
}

export type RoomApi = ReturnType<typeof roomApi>;
