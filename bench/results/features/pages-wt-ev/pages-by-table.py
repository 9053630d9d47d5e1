# Pages one group commit of G events writes to the WAL, by table: each kind of write alone, on a copy of the bench's database.
import sqlite3, shutil, os, random, sys
SRC='/tmp/ev/copy.db'; DB='/tmp/ev/exp.db'
G=int(sys.argv[1]) if len(sys.argv)>1 else 6
PAGE=4096
random.seed(1)
def fresh():
    for s in ('','-wal','-shm'):
        if os.path.exists(DB+s): os.remove(DB+s)
    shutil.copy(SRC, DB)
    c=sqlite3.connect(DB, isolation_level=None); c.execute('pragma journal_mode=wal'); c.execute('pragma wal_autocheckpoint=0'); c.execute('pragma cache_size=-65536')
    return c
users=[f'ev{i}' for i in range(10000)]
def frames(c, work, reps=5):
    out=[]
    for r in range(reps):
        c.execute('pragma wal_checkpoint(TRUNCATE)')
        c.execute('begin immediate'); work(c); c.execute('commit')
        out.append((os.path.getsize(DB+'-wal')-32)//(PAGE+24))
    return sum(out)/len(out)/G
c=fresh()
nid=[10**7]
def notices(c):
    for _ in range(G):
        for u in random.sample(users, 9):
            nid[0]+=1
            c.execute("insert into kit_notifications_keyed(user_id,replaces,id,type,data,created_ms) values(?,?,?,?,?,?) on conflict(user_id,replaces) do update set id=excluded.id,data=excluded.data,created_ms=excluded.created_ms,replaced=replaced+1",
                      (u,'overtaken:bench-xp',nid[0],'overtaken','{"board":"bench-xp","by":"ev123","rank":1234,"name":"ev123"}',1))
        c.execute("update kit_sequences set last_id=last_id+9 where name='kit_notifications'")
def scores(c):
    for u in random.sample(users, G):
        c.execute("update gam_scores set score=score+?, reached_ms=reached_ms+1, version=version+1 where board='bench-xp' and period_key='all' and user_id=?", (random.randint(2,60),u))
        if random.random()<0.1:
            c.execute("update gam_scores set score=score+3, version=version+1 where board='bench-km-week' and user_id=?", (u,))
def players(c):
    for u in random.sample(users, G):
        c.execute("update gam_users set xp=xp+5, updated_ms=updated_ms+1 where user_id=?", (u,))
        c.execute("insert into gam_quest_progress(user_id,quest,period_key,progress,completed_ms) values(?,?,?,1,null) on conflict do update set progress=progress+1", (u,'bench-daily-workouts','2026-12-06'))
        c.execute("insert into gam_streak_state(user_id,streak,count,best,last_day) values(?,?,1,1,739955) on conflict do update set count=count+1", (u,'bench-training'))
        c.execute("insert into gam_achievement_progress(user_id,achievement,progress,unlocked_ms) values(?,?,1,null) on conflict do update set progress=progress+1", (u,'bench-workouts-20'))
keys=[0]
def idem(c):
    for _ in range(G):
        keys[0]+=1
        c.execute("insert into kit_idempotency(scope,idem_key,result,created_ms) values('gamification.event',?,?,1)", ('k%08x'%random.getrandbits(32), 'x'*433))
def events(c):
    for _ in range(G):
        c.execute("insert into kit_domain_events(type,data,created_ms) values('bench.workout',?,1)", ('y'*105,))
def outbox(c):
    for _ in range(G):
        c.execute("insert into kit_outbox(kind,channel,event_type,data,target_user,created_ms,claim,claimed_until_ms) values('batch','',null,?,null,1,'0123456789abcdef0123456789abcdef',99999999999)", ('z'*2500,))
def outbox_delete(c):
    c.execute("delete from kit_outbox")
for name,w in [('notices (9 per event)',notices),('scores (xp board, km 1 in 10)',scores),('player rows (user, quest, streak, achievement)',players),('idempotency',idem),('domain events',events),('outbox insert',outbox),('outbox delete',outbox_delete)]:
    print(f'{name}: {frames(c,w):.2f} pages per event (G={G})')
import uuid, time
def outbox_claim(kind):
    def w(c):
        for _ in range(G):
            claim = uuid.uuid4().hex if kind=='random' else '%012x'%int(time.time()*1000) + uuid.uuid4().hex[12:]
            c.execute("insert into kit_outbox(kind,channel,event_type,data,target_user,created_ms,claim,claimed_until_ms) values('batch','',null,?,null,1,?,?)", ('z'*1500,claim,int(time.time()*1000)+30000))
    return w
# a standing outbox like the bench's: rows waiting for their delete
c.execute("delete from kit_outbox")
for i in range(3000):
    c.execute("insert into kit_outbox(kind,channel,event_type,data,target_user,created_ms,claim,claimed_until_ms) values('batch','',null,?,null,1,?,?)", ('z'*1500,uuid.uuid4().hex,int(time.time()*1000)))
for kind in ('random','time-ordered'):
    print(f'outbox insert, {kind} claim: {frames(c,outbox_claim(kind)):.2f} pages per event (G={G})')
