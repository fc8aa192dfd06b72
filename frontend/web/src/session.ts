// The reporter's token lives in this browser only (localStorage): the API has no cookies.

const TOKEN = "lostfound.token";

export interface Store {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class Session {
  constructor(private readonly store: Store = localStorage) {}

  get token(): string | null {
    return this.store.getItem(TOKEN);
  }

  signIn(token: string): void {
    const trimmed = token.trim();
    if (!trimmed) throw new Error("the token is empty");
    this.store.setItem(TOKEN, trimmed);
  }

  signOut(): void {
    this.store.removeItem(TOKEN);
  }
}
