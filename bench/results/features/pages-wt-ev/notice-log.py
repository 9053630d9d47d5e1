# The notices as an append-only log merged in bulk: pages per event of the log's inserts (G events a commit) and of one
# merge of M events' notices into kit_notifications_keyed, on the copy of the bench's database.
import sys
sys.argv=[sys.argv[0], '6']
exec(open('/tmp/ev/pages.py').read().split("for name,w in")[0])
c=fresh()
c.execute("create table notice_log (seq INTEGER PRIMARY KEY, user_id TEXT NOT NULL, replaces TEXT NOT NULL, id BIGINT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, created_ms BIGINT NOT NULL)")
def log(c):
    for _ in range(G):
        for u in random.sample(users, 9):
            nid[0]+=1
            c.execute("insert into notice_log(user_id,replaces,id,type,data,created_ms) values(?,?,?,?,?,?)", (u,'overtaken:bench-xp',nid[0],'overtaken','{"board":"bench-xp","by":"ev123","rank":1234,"name":"ev123"}',1))
        c.execute("update kit_sequences set last_id=last_id+9 where name='kit_notifications'")
print(f'notices appended to a log: {frames(c,log):.2f} pages per event (G={G})')
for M in (100, 1000):
    c.execute('delete from notice_log')
    for _ in range(M):
        for u in random.sample(users, 9):
            nid[0]+=1
            c.execute("insert into notice_log(user_id,replaces,id,type,data,created_ms) values(?,?,?,?,?,?)", (u,'overtaken:bench-xp',nid[0],'overtaken','{"board":"bench-xp","by":"ev123","rank":1234,"name":"ev123"}',1))
    def merge(c):
        c.execute("""insert into kit_notifications_keyed(user_id,replaces,id,type,data,created_ms)
                     select user_id,replaces,id,type,data,created_ms from notice_log where true order by user_id, replaces, seq
                     on conflict(user_id,replaces) do update set id=excluded.id,data=excluded.data,created_ms=excluded.created_ms,replaced=replaced+1""")
        c.execute("delete from notice_log")
    c.execute('pragma wal_checkpoint(TRUNCATE)')
    c.execute('begin immediate'); merge(c); c.execute('commit')
    print(f'one merge of {M} events of notices: {((os.path.getsize(DB+"-wal")-32)//(PAGE+24))/M:.2f} pages per event')
