<?php
/*
 * The tests' only way into WordPress: its own PHP API, no wp-cli.
 *
 *   php wp.php DOCROOT HOST COMMAND [JSON-FILE]
 *
 * COMMAND is install, populate, export, theme, mutate; input comes from JSON-FILE, the answer is
 * one JSON document on stdout. Errors go to stderr with exit status 1.
 */
if ($argc < 4) {
    fwrite(STDERR, "usage: php wp.php DOCROOT HOST COMMAND [JSON-FILE]\n");
    exit(2);
}
[$docroot, $host, $command] = [$argv[1], $argv[2], $argv[3]];
$input = $argc > 4 ? json_decode(file_get_contents($argv[4]), true, 512, JSON_THROW_ON_ERROR) : [];
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
if ($command === 'install') {
    define('WP_INSTALLING', true);
}
require $docroot . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

function fail(string $message): void {
    fwrite(STDERR, $message . "\n");
    exit(1);
}

function check($result, string $what) {
    if (is_wp_error($result) || !$result) {
        fail("$what: " . (is_wp_error($result) ? $result->get_error_message() : 'failed'));
    }
    return $result;
}

function install(array $in): array {
    $result = wp_install($in['title'], 'admin', 'admin@example.org', true, '', $in['password']);
    update_option('timezone_string', $in['timezone']);
    update_option('blogdescription', 'A real WordPress for blogarchive tests');
    update_option('date_format', 'F j, Y');
    update_option('time_format', 'g:i a');
    update_option('posts_per_page', 10);
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure($in['permalink']);
    flush_rewrite_rules(false);
    wp_update_user(['ID' => $result['user_id'], 'display_name' => 'Editorial Team']);
    return ['admin' => $result['user_id']];
}

function image(string $key, int $number): array {
    $uploads = wp_upload_dir('2021/05');
    $file = $uploads['path'] . "/$key.jpg";
    $img = imagecreatetruecolor(800, 533);
    imagefilledrectangle($img, 0, 0, 799, 532, imagecolorallocate($img, 40 + $number * 7 % 200, 120, 160));
    imagestring($img, 5, 20, 20, $key, imagecolorallocate($img, 255, 255, 255));
    imagejpeg($img, $file, 80);
    $id = check(wp_insert_attachment(['post_mime_type' => 'image/jpeg', 'post_title' => $key,
        'post_status' => 'inherit', 'post_content' => ''], $file), "attachment $key");
    wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $file));
    return [$id, wp_get_attachment_url($id)];
}

function populate(array $in): array {
    $users = [];
    foreach ($in['users'] as $u) {
        $users[$u['login']] = check(wp_insert_user(['user_login' => $u['login'],
            'user_pass' => wp_generate_password(20), 'user_email' => $u['login'] . '@example.org',
            'display_name' => $u['display_name'], 'first_name' => $u['first'],
            'last_name' => $u['last'], 'role' => 'author']), "user {$u['login']}");
    }
    $terms = [];
    foreach ($in['categories'] as $name) {
        $terms[$name] = check(wp_insert_term($name, 'category'), "category $name")['term_id'];
    }
    wp_defer_term_counting(true);
    $ids = [];
    $images = 0;
    foreach ($in['posts'] as $p) {
        $ids[$p['key']] = insert_post($p, $users, $terms, $images, $ids);
    }
    wp_defer_term_counting(false);
    return ['users' => $users, 'posts' => $ids];
}

// Placeholders of the plan: {{id:KEY}} and {{url:KEY}} of an image uploaded for this post,
// {{permalink:KEY}} of a post inserted before it.
function insert_post(array $p, array $users, array $terms, int &$images, array $ids): int {
    $content = $p['content'];
    $keys = array_merge($p['images'] ?? [], $p['image'] ? [$p['image']] : []);
    foreach ($keys as $key) {
        [$att, $url] = image($key, ++$images);
        $content = str_replace(["{{id:$key}}", "{{url:$key}}"], [$att, $url], $content);
    }
    $content = preg_replace_callback('/\{\{permalink:([\w-]+)\}\}/', function ($m) use ($ids) {
        isset($ids[$m[1]]) || fail("permalink of {$m[1]}: not inserted yet");
        return get_permalink($ids[$m[1]]);
    }, $content);
    $id = check(wp_insert_post(wp_slash(['post_title' => $p['title'], 'post_content' => $content,
        'post_status' => $p['status'], 'post_author' => $users[$p['author']],
        'post_date' => $p['date'], 'post_type' => 'post',
        'post_category' => array_map(fn($c) => $terms[$c], $p['categories']),
        'tags_input' => $p['tags']]), true), "post {$p['key']}");
    if (!empty($p['sticky'])) {
        stick_post($id);
    }
    $comments = [];
    foreach ($p['comments'] as $c) {
        $user = $c['user'] ? $users[$c['user']] : 0;
        $comments[$c['key']] = check(wp_insert_comment(wp_slash(['comment_post_ID' => $id,
            'comment_author' => $c['author'], 'comment_content' => $c['text'],
            'comment_author_email' => $user ? get_userdata($user)->user_email
                : sanitize_title($c['author']) . '@example.net',
            'comment_author_url' => '', 'user_id' => $user,
            'comment_parent' => $c['parent'] ? $comments[$c['parent']] : 0,
            'comment_date' => $c['date'], 'comment_date_gmt' => get_gmt_from_date($c['date']),
            'comment_approved' => $c['approved']])), "comment {$c['key']}");
    }
    return $id;
}

function decoded(string $text): string {  // term names are stored escaped: "q&amp;a"
    return html_entity_decode($text, ENT_QUOTES | ENT_HTML5, 'UTF-8');
}

function text_of(string $html): string {
    $html = preg_replace('#<sup[^>]*class="fn"[^>]*>.*?</sup>#s', '', $html);  // footnote references
    $html = preg_replace('#</(p|h[1-6]|li|blockquote|figcaption|pre|div|figure|cite|td|th)>#i', "$0\n\n", $html);
    return decoded(wp_strip_all_tags($html));
}

function export_post(WP_Post $post): array {
    $GLOBALS['post'] = $post;
    setup_postdata($post);
    $GLOBALS['more'] = 1;  // the_content as on the post's own page: full text, no "(more...)" link
    $html = apply_filters('the_content', get_the_content());
    $comments = [];
    foreach (get_comments(['post_id' => $post->ID, 'status' => 'approve', 'orderby' => 'comment_ID',
                           'order' => 'ASC']) as $c) {
        $comments[] = ['id' => (int) $c->comment_ID, 'parent' => (int) $c->comment_parent,
            'author' => decoded(apply_filters('comment_author', get_comment_author($c), $c->comment_ID)),
            'author_raw' => $c->comment_author, 'date' => get_comment_date(DATE_ATOM, $c),
            'text' => text_of(apply_filters('comment_text', $c->comment_content, $c, []))];
    }
    return ['id' => $post->ID, 'url' => get_permalink($post),
        'title' => decoded(get_the_title($post)),
        'author' => get_the_author_meta('display_name', $post->post_author),
        'date' => get_post_datetime($post, 'date', 'local')->format(DATE_ATOM),
        'date_gmt' => $post->post_date_gmt, 'modified' => get_post_datetime($post, 'modified')->format(DATE_ATOM),
        'categories' => array_map('decoded', wp_list_pluck(get_the_category($post->ID), 'name')),
        'tags' => array_map('decoded', wp_list_pluck(get_the_tags($post->ID) ?: [], 'name')),
        'html' => $html, 'text' => text_of($html), 'comments' => $comments];
}

function export(array $in): array {
    $published = get_posts(['post_type' => 'post', 'post_status' => 'publish', 'numberposts' => -1,
                            'orderby' => 'ID', 'order' => 'ASC', 'suppress_filters' => false]);
    $hidden = get_posts(['post_type' => 'post', 'numberposts' => -1, 'orderby' => 'ID',
                         'post_status' => ['draft', 'private', 'pending', 'future', 'trash']]);
    return ['theme' => get_stylesheet(), 'home' => home_url('/'),
        'timezone' => wp_timezone_string(), 'posts' => array_map('export_post', $published),
        'hidden' => array_map(fn($p) => ['id' => $p->ID, 'status' => $p->post_status,
            'title' => $p->post_title, 'slug' => $p->post_name], $hidden)];
}

function theme(array $in): array {
    $theme = wp_get_theme($in['theme']);
    if (!$theme->exists()) {
        fail("theme {$in['theme']} not found in " . get_theme_root());
    }
    switch_theme($in['theme']);
    return ['theme' => get_stylesheet(), 'block_theme' => wp_is_block_theme()];
}

function mutate(array $in): array {
    // Each part is optional: edit (+append), a new post (new_title...), an approved comment on
    // another post (comment_on + comment_text: WordPress leaves that post's modified date alone),
    // a trashed post (trash).
    $out = [];
    if (isset($in['edit'])) {
        $edited = get_post($in['edit']);
        check(wp_update_post(wp_slash(['ID' => $edited->ID, 'post_content' => $edited->post_content
            . "\n\n<!-- wp:paragraph -->\n<p>" . $in['append'] . "</p>\n<!-- /wp:paragraph -->"]), true),
            'edit');
        $out['edited'] = get_permalink($edited->ID);
    }
    if (isset($in['new_title'])) {
        $author = get_user_by('login', 'ben')->ID;
        $new = check(wp_insert_post(wp_slash(['post_title' => $in['new_title'], 'post_status' => 'publish',
            'post_content' => "<!-- wp:paragraph -->\n<p>" . $in['new_text'] . "</p>\n<!-- /wp:paragraph -->",
            'post_author' => $author, 'post_date' => $in['new_date'], 'post_category' => [1]]), true), 'new');
        $out['new'] = get_permalink($new);
        $out['new_id'] = $new;
    }
    if (isset($in['comment_on'])) {
        check(wp_insert_comment(wp_slash(['comment_post_ID' => $in['comment_on'],
            'comment_author' => 'Late Reader', 'comment_author_email' => 'late@example.org',
            'comment_content' => $in['comment_text'], 'comment_approved' => 1])), 'comment');
        $out['commented'] = get_permalink($in['comment_on']);
    }
    if (isset($in['trash'])) {
        $out['trashed'] = get_permalink($in['trash']);
        check(wp_trash_post($in['trash']), 'trash');
    }
    return $out;
}

$commands = ['install' => 'install', 'populate' => 'populate', 'export' => 'export',
             'theme' => 'theme', 'mutate' => 'mutate'];
if (!isset($commands[$command])) {
    fail("unknown command $command");
}
echo json_encode($commands[$command]($input), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
    | JSON_THROW_ON_ERROR), "\n";
