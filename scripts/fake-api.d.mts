export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** Cache writes by lifetime, as the API reports them beside cache_creation_input_tokens. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  /** `fast` in fast mode. */
  speed?: string;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** One model turn: tool calls (the CLI runs them and calls back), or a final text. */
export interface Turn {
  text?: string;
  tools?: ToolCall[];
  usage: Usage;
}

export interface Script {
  /** Which agent this is, for the record (`main`, or the subagent's name). */
  name: string;
  /** Text that identifies the agent's conversation: it appears in its first user message. */
  marker: string;
  turns: Turn[];
}

export interface Served {
  script: string;
  step: number;
  messageId: string;
  usage: Usage;
  toolUseIds: string[];
}

export interface RecordedRequest {
  path: string;
  body: MessagesBody | null;
  /** The script and step it was answered from; null for a request no script matched. */
  served: Served | null;
}

export interface MessageParam {
  role: 'user' | 'assistant';
  content: string | { type: string; [k: string]: unknown }[];
}

export interface MessagesBody {
  model: string;
  messages: MessageParam[];
  system?: unknown;
  stream?: boolean;
  [k: string]: unknown;
}

export interface FakeApi {
  url: string;
  requests: RecordedRequest[];
  /** What the server answered to each scripted request, in order. */
  served(): Served[];
  close(): Promise<void>;
}

export function startFakeApi(scripts: Script[], opts?: { label?: string }): Promise<FakeApi>;

/** The text of the tool_result the CLI sent back for a tool use id, or null if it never did. */
export function toolResultText(requests: readonly RecordedRequest[], toolUseId: string): string | null;
