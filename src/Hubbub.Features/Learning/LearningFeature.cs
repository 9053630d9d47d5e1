using Hubbub.Features.Kit.Declaring;
using static Hubbub.Features.Learning.LearningJsonContext;

namespace Hubbub.Features.Learning;

/// <summary>
/// Learning progress: options (section <c>Learning</c>), schema, the REST API under <c>/api/courses</c> and the
/// <c>learning.*</c> commands a learner makes (the same records and service calls as REST). It uses the <c>user:{id}</c>
/// and <c>room:{id}</c> channels of others and declares none of its own.
/// </summary>
public sealed class LearningFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "learning";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature)
    {
        feature
            .Options<LearningOptions>(LearningOptions.Section)
            .Migrations(LearningSchema.Declare)
            .Command<LearningService, EnrollRequest, ProgressView>("learning.enroll", Default.EnrollRequest, Default.ProgressView,
                (s, me, r, ct) => s.EnrollAsync(me, r, ct))
            .Command<LearningService, CompleteRequest, ProgressView>("learning.complete", Default.CompleteRequest, Default.ProgressView,
                (s, me, r, ct) => s.CompleteAsync(me, r, ct))
            .Command<LearningService, ProgressRequest, ProgressView>("learning.progress", Default.ProgressRequest, Default.ProgressView,
                (s, me, r, ct) => s.ProgressAsync(me, r, ct))
            .Command<LearningService, LinkRoomRequest, CourseRoomView>("learning.link_room", Default.LinkRoomRequest, Default.CourseRoomView,
                async (s, me, r, ct) => (await s.LinkRoomAsync(me, me.IsAdmin, r, ct)).Room)
            .Api<LearningOptions>("/api/courses", o => o.MaxBodyBytes, LearningEndpoints.Map)
            .AnnouncesXp(LearningEvents.TaskCompletedKind, "xp")
            .ConsolePage("learning", "Learning", "learning.js");
        feature.Services.AddSingleton<CoursesService>();
        feature.Services.AddSingleton<LearningService>();
    }
}
