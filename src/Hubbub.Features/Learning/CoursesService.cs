using System.Security.Cryptography;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Text;
using Hubbub.Protocol;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Learning;

/// <summary>
/// Course definitions (server and admins only): create, edit (each edit a new version; learners' completions are kept
/// by task key and read against the current version, so an edit never corrupts progress), publish, archive; and the
/// reads anyone signed in may make (drafts hidden from learners).
/// </summary>
public sealed class CoursesService(FeatureDatabase database, IOptions<LearningOptions> options)
{
    /// <summary>Most courses one page lists.</summary>
    public const int MaxPage = 100;

    /// <summary>Courses one page lists when no <c>limit</c> is given.</summary>
    public const int DefaultPage = 20;

    private LearningOptions Limits => options.Value;

    /// <summary>Creates a course (published, unless <c>draft</c>); <paramref name="defaultOwner"/> owns it unless the body names an <c>owner</c>.</summary>
    public async Task<CourseView> CreateAsync(string? defaultOwner, CourseRequest request, CancellationToken cancellationToken = default)
    {
        var id = request.Id is null ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) : CourseValidator.Key(request.Id, "'id'");
        var owner = Owner(request.Owner) ?? defaultOwner;
        var (title, definition) = CourseValidator.Validate(request, Limits);
        var state = request.Draft == true ? CourseStates.Draft : CourseStates.Published;
        var json = JsonSerializer.Serialize(definition, LearningJsonContext.Default.CourseDefinition);
        return await database.WriteAsync(async tx =>
        {
            if (!await LearningStore.TryInsertCourseAsync(tx, id, title, owner, state, json, tx.NowMs, cancellationToken))
            {
                throw new HubbubException(ErrorCodes.Conflict, LearningReasons.CourseExists, $"course '{id}' already exists");
            }
            return View(await LearningStore.FindCourseAsync(tx, id, cancellationToken) ?? throw NotFound());
        }, cancellationToken);
    }

    /// <summary>
    /// Replaces a course's title and modules with a new version (the owner too when named); learners' progress is then
    /// read against it. Its state is left as it is.
    /// </summary>
    public async Task<CourseView> UpdateAsync(string? id, CourseRequest request, CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(id, "a course id");
        var owner = Owner(request.Owner);
        var (title, definition) = CourseValidator.Validate(request, Limits);
        var json = JsonSerializer.Serialize(definition, LearningJsonContext.Default.CourseDefinition);
        return await database.WriteAsync(async tx =>
        {
            var course = await LearningStore.FindCourseForUpdateAsync(tx, courseId, cancellationToken) ?? throw NotFound();
            await LearningStore.NewVersionAsync(tx, courseId, course.Version + 1, title, owner ?? course.Owner, json, tx.NowMs, cancellationToken);
            return View(await LearningStore.FindCourseAsync(tx, courseId, cancellationToken) ?? throw NotFound());
        }, cancellationToken);
    }

    /// <summary>Moves a course to <paramref name="state"/> (<c>published</c> or <c>archived</c>); the same state again changes nothing.</summary>
    public async Task<CourseView> SetStateAsync(string? id, string state, CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(id, "a course id");
        return await database.WriteAsync(async tx =>
        {
            var course = await LearningStore.FindCourseForUpdateAsync(tx, courseId, cancellationToken) ?? throw NotFound();
            if (course.State != state)
            {
                await LearningStore.SetStateAsync(tx, courseId, state, tx.NowMs, cancellationToken);
            }
            return View(await LearningStore.FindCourseAsync(tx, courseId, cancellationToken) ?? throw NotFound());
        }, cancellationToken);
    }

    /// <summary>
    /// A page of courses, newest first: published and archived ones for everyone, drafts too for the server and admins
    /// (<paramref name="privileged"/>); <paramref name="state"/> filters. The cursor is the previous page's <c>next_cursor</c>.
    /// </summary>
    public async Task<CourseList> ListAsync(bool privileged, string? state, string? cursor, int? limit, CancellationToken cancellationToken = default)
    {
        if (state is not (null or CourseStates.Draft or CourseStates.Published or CourseStates.Archived))
        {
            throw HubbubException.BadRequest("'state' must be draft, published or archived");
        }
        var size = Page(limit);
        var (beforeMs, beforeId) = Cursor(cursor);
        var rows = await database.ReadAsync(tx => LearningStore.ListCoursesAsync(tx, state, privileged, beforeMs, beforeId, size + 1, cancellationToken),
            cancellationToken);
        var page = rows.Take(size).ToList();
        var next = rows.Count > size ? KeysetCursor.Format(page[^1].CreatedMs, page[^1].Id, CursorSeparator) : null;
        return new CourseList(page.Select(r =>
        {
            var definition = Definition(r);
            return new CourseSummary(r.Id, r.Title, r.Owner, r.State, (int)r.Version, definition.Modules.Count, definition.TaskCount,
                ProgressCalculator.Time(r.CreatedMs), ProgressCalculator.Time(r.UpdatedMs));
        }).ToList(), next);
    }

    /// <summary>One course with its current definition; a draft is <c>not_found</c> unless <paramref name="privileged"/>.</summary>
    public async Task<CourseView> GetAsync(bool privileged, string? id, CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(id, "a course id");
        var course = await database.ReadAsync(tx => LearningStore.FindCourseAsync(tx, courseId, cancellationToken), cancellationToken);
        return course is not null && (privileged || course.State != CourseStates.Draft) ? View(course) : throw NotFound();
    }

    internal static HubbubException NotFound() => HubbubException.NotFound("course not found");

    internal static CourseDefinition Definition(CourseRow course) =>
        JsonSerializer.Deserialize(course.Definition, LearningJsonContext.Default.CourseDefinition)
        ?? throw new InvalidOperationException($"course {course.Id} has an unreadable definition");

    internal static int Page(int? limit) => limit switch
    {
        null => DefaultPage,
        >= 1 and <= MaxPage => limit.Value,
        _ => throw HubbubException.BadRequest($"'limit' must be 1-{MaxPage}"),
    };

    /// <summary>Courses' and learners' cursors: <c>{ms}:{key}</c>.</summary>
    internal const char CursorSeparator = ':';

    /// <summary>A cursor as pages hand out (null: the first page); anything else is <c>bad_request</c>.</summary>
    internal static (long? Ms, string? Key) Cursor(string? cursor)
    {
        if (cursor is null)
        {
            return (null, null);
        }
        var (ms, key) = KeysetCursor.Parse(cursor, CursorSeparator, UserIds.IsValid);
        return (ms, key);
    }

    private static string? Owner(string? owner) => owner is null ? null : UserIds.IsValid(owner)
        ? owner
        : throw HubbubException.BadRequest(UserIds.Rule("owner"));

    private static CourseView View(CourseRow course)
    {
        var definition = Definition(course);
        return new CourseView(course.Id, course.Title, course.Owner, course.State, (int)course.Version, definition.Modules, definition.TaskCount,
            ProgressCalculator.Time(course.CreatedMs), ProgressCalculator.Time(course.UpdatedMs));
    }
}
