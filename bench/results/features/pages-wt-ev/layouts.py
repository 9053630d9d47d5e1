# The same writes as pages-by-table.py on alternative layouts of a copy of the bench's database (pages per event, G events a commit).
import sys
sys.argv=[sys.argv[0], sys.argv[1] if len(sys.argv)>1 else '6']
exec(open('/tmp/ev/pages.py').read().split("for name,w in")[0])
c=fresh()
print(f'player rows, rowid tables (today): {frames(c,players):.2f}')
print(f'scores, both ranked indexes (today): {frames(c,scores):.2f}')
for t,cols,pk in [('gam_achievement_progress','user_id TEXT NOT NULL, achievement TEXT NOT NULL, progress REAL NOT NULL, unlocked_ms BIGINT NULL','user_id, achievement'),
                  ('gam_quest_progress','user_id TEXT NOT NULL, quest TEXT NOT NULL, period_key TEXT NOT NULL, progress BIGINT NOT NULL, completed_ms BIGINT NULL','user_id, quest, period_key'),
                  ('gam_streak_state','user_id TEXT NOT NULL, streak TEXT NOT NULL, count INTEGER NOT NULL, best INTEGER NOT NULL, last_day INTEGER NOT NULL','user_id, streak')]:
    c.executescript(f"begin; create table x ({cols}, primary key ({pk})) without rowid; insert into x select * from {t} order by {pk}; drop table {t}; alter table x rename to {t}; commit;")
c.execute("create index if not exists gam_achievement_progress_unlocked on gam_achievement_progress (achievement, unlocked_ms)")
c.execute("vacuum")
print(f'player rows, quest/streak/achievement WITHOUT ROWID: {frames(c,players):.2f}')
c.execute("drop index gam_scores_ranked_desc")
print(f'scores, one ranked index: {frames(c,scores):.2f}')
