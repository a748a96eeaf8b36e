/** Issues and pull request conversations: the issue, its comments, comment reactions. */
import {
  bodyObject,
  error,
  intParam,
  json,
  notFound,
  paginate,
  type Reply,
  type RequestContext,
  type Route,
} from "../router.js";
import type { CommentState, RepoState } from "../state.js";
import { iso, nodeId } from "../state.js";

export const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];
const MAX_COMMENT = 65_536;

function repoOf(ctx: RequestContext): RepoState {
  return ctx.repo as RepoState;
}

function commentOf(ctx: RequestContext): CommentState | undefined {
  const id = intParam(ctx, "comment_id");
  return id === undefined ? undefined : repoOf(ctx).comments.get(id);
}

function readCommentBody(ctx: RequestContext): string | Reply {
  const body = bodyObject(ctx)?.body;
  if (typeof body !== "string" || body.trim() === "") {
    return error(422, "Validation Failed", {
      errors: [{ resource: "IssueComment", code: "missing_field", field: "body" }],
    });
  }
  if (body.length > MAX_COMMENT) {
    return error(422, "Validation Failed", {
      errors: [
        {
          resource: "IssueComment",
          code: "custom",
          field: "body",
          message: `body is too long (maximum is ${MAX_COMMENT} characters)`,
        },
      ],
    });
  }
  return body;
}

function createComment(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const number = intParam(ctx, "number");
  const issue = number === undefined ? undefined : repo.issues.get(number);
  if (!issue) return notFound();
  const body = readCommentBody(ctx);
  if (typeof body !== "string") return body;
  const id = ctx.store.nextId("comment", 7_000_000);
  const comment: CommentState = {
    id,
    nodeId: nodeId("IC", id),
    repo,
    issueNumber: issue.number,
    user: ctx.store.bot,
    body,
    createdAt: iso(ctx.now),
    updatedAt: iso(ctx.now),
    viaApp: true,
    reactions: [],
  };
  repo.comments.set(id, comment);
  return json(201, ctx.render.comment(comment));
}

function updateComment(ctx: RequestContext): Reply {
  const comment = commentOf(ctx);
  if (!comment) return notFound();
  const body = readCommentBody(ctx);
  if (typeof body !== "string") return body;
  comment.body = body;
  comment.updatedAt = iso(ctx.now);
  return json(200, ctx.render.comment(comment));
}

function react(ctx: RequestContext): Reply {
  const comment = commentOf(ctx);
  if (!comment) return notFound();
  const content = bodyObject(ctx)?.content;
  if (typeof content !== "string" || !REACTIONS.includes(content)) {
    return error(422, "Validation Failed", {
      errors: [{ resource: "Reaction", code: "invalid", field: "content" }],
    });
  }
  const user = ctx.store.bot;
  const existing = comment.reactions.find((r) => r.user.id === user.id && r.content === content);
  if (existing) return json(200, ctx.render.reaction(existing));
  const id = ctx.store.nextId("reaction", 3_000_000);
  const reaction = { id, nodeId: nodeId("REA", id), user, content, createdAt: iso(ctx.now) };
  comment.reactions.push(reaction);
  return json(201, ctx.render.reaction(reaction));
}

export const issueRoutes: Route[] = [
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/issues/:number",
    auth: "repo",
    handler: (ctx) => {
      const number = intParam(ctx, "number");
      const issue = number === undefined ? undefined : repoOf(ctx).issues.get(number);
      return issue ? json(200, ctx.render.issue(issue)) : notFound();
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/issues/:number/comments",
    auth: "repo",
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const number = intParam(ctx, "number");
      if (number === undefined || !repo.issues.has(number)) return notFound();
      const since = ctx.query.get("since");
      const comments = [...repo.comments.values()]
        .filter((c) => c.issueNumber === number)
        .filter((c) => !since || Date.parse(c.updatedAt) >= Date.parse(since))
        .sort((a, b) => a.id - b.id);
      return paginate(
        ctx,
        comments.map((c) => ctx.render.comment(c)),
      );
    },
  },
  {
    method: "POST",
    pattern: "/repos/:owner/:repo/issues/:number/comments",
    auth: "repo",
    handler: createComment,
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/issues/comments/:comment_id",
    auth: "repo",
    handler: (ctx) => {
      const comment = commentOf(ctx);
      return comment ? json(200, ctx.render.comment(comment)) : notFound();
    },
  },
  {
    method: "PATCH",
    pattern: "/repos/:owner/:repo/issues/comments/:comment_id",
    auth: "repo",
    handler: updateComment,
  },
  {
    method: "POST",
    pattern: "/repos/:owner/:repo/issues/comments/:comment_id/reactions",
    auth: "repo",
    handler: react,
  },
];
