const {PGlite}=require('@electric-sql/pglite');
(async()=>{let t=Date.now(); const p=await PGlite.create(); await p.exec('create table a(x int)'); console.log('create',Date.now()-t);
t=Date.now(); const dump=await p.dumpDataDir('none'); console.log('dump',Date.now()-t, dump.size); await p.close();
t=Date.now(); const q=await PGlite.create({loadDataDir: dump}); console.log('load', Date.now()-t, (await q.query('select count(*) from a')).rows);
t=Date.now(); const r=await PGlite.create(); console.log('second create in same proc', Date.now()-t, process.memoryUsage().rss/1e6);
})()
